package io.kvdb.leader;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.client.KvOptions;

public class KvExample {
  public static void main(String[] args) {
    String leader = args.length > 0 ? args[0] : "localhost:50051";
    try (KvClient kv = KvClient.connect(leader, KvOptions.DEFAULT)) {
      WriteResponse put = kv.put("greeting", ByteString.copyFromUtf8("hello"));
      System.out.println("stored in shard " + put.getShard() + " at seq " + put.getSeq());

      String value = kv.get("greeting").orElseThrow().toStringUtf8();
      System.out.println("greeting = " + value);

      // Every key with the prefix, in key order; pages are fetched as the stream is read.
      kv.list("greet").forEach(item -> System.out.println("listed " + item.getKey()));

      // A missing key is no error: get and delete return empty.
      System.out.println("missing is there: " + kv.get("missing").isPresent());

      try {
        kv.put("", ByteString.copyFromUtf8("a value needs a key"));
      } catch (KvException e) {
        System.out.println(e.code() + ": " + e.description());
      }
    }
  }
}
