package io.kvdb.leader;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import java.util.concurrent.TimeUnit;

public class KvExample {
  public static void main(String[] args) throws InterruptedException {
    String target = args.length > 0 ? args[0] : "localhost:50051";
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);

      WriteResponse put = kv.withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder()
          .setKey("greeting").setValue(ByteString.copyFromUtf8("hello")).build());
      System.out.println("stored in shard " + put.getShard() + " at seq " + put.getSeq());

      String value = kv.withDeadlineAfter(5, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setKey("greeting").build()).getValue().toStringUtf8();
      System.out.println("greeting = " + value);

      ListRequest firstPage = ListRequest.newBuilder().setPrefix("greet").setLimit(10).build();
      for (KeyValue item : kv.withDeadlineAfter(5, TimeUnit.SECONDS).list(firstPage).getItemsList()) {
        System.out.println("listed " + item.getKey());
      }

      try {
        kv.withDeadlineAfter(5, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey("missing").build());
      } catch (StatusRuntimeException e) {
        // NOT_FOUND: key not found: missing
        System.out.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
