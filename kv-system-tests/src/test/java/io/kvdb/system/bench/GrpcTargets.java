package io.kvdb.system.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.system.RawGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** kvdb (through its Java client) and etcd over gRPC: one channel shared by all threads, as their Java clients do. */
final class GrpcTargets {
  private GrpcTargets() {}

  static KvTarget kvdb(int port) {
    KvClient client = KvClient.connect("127.0.0.1:" + port, KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30)));
    return new KvTarget() {
      @Override
      public void put(String key, byte[] value) {
        client.put(key, ByteString.copyFrom(value));
      }

      @Override
      public void get(String key) {
        client.get(key);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /**
   * etcd v3's KV service, called with hand-encoded requests (PutRequest and RangeRequest both
   * start with key = 1, value = 2 as bytes), so no etcd client library is needed.
   */
  static KvTarget etcd(int port) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    MethodDescriptor<byte[], byte[]> put = RawGrpc.method("etcdserverpb.KV/Put");
    MethodDescriptor<byte[], byte[]> range = RawGrpc.method("etcdserverpb.KV/Range");
    return new KvTarget() {
      @Override
      public void put(String key, byte[] value) {
        ClientCalls.blockingUnaryCall(channel, put, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
            encode(key, value));
      }

      @Override
      public void get(String key) {
        ClientCalls.blockingUnaryCall(channel, range, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
            encode(key, null));
      }

      @Override
      public void close() {
        channel.shutdownNow();
      }
    };
  }

  private static byte[] encode(String key, byte[] value) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(1, key.getBytes(StandardCharsets.UTF_8));
      if (value != null) {
        out.writeByteArray(2, value);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
