package io.kvdb.compare.targets;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.kvdb.cli.bench.Target;
import io.kvdb.common.grpc.RawMethods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * etcd v3's KV service over gRPC: {@code Put} and {@code Range} with hand-encoded requests
 * (PutRequest and RangeRequest both start with key = 1, value = 2, as bytes), so that no etcd
 * client library is needed. One channel shared by every client thread, as etcd's Java client does.
 */
public final class EtcdGrpcTarget implements Target {
  private static final MethodDescriptor<byte[], byte[]> PUT = RawMethods.unary("etcdserverpb.KV/Put");
  private static final MethodDescriptor<byte[], byte[]> RANGE = RawMethods.unary("etcdserverpb.KV/Range");
  /** RangeResponse: header = 1, kvs = 2 (repeated KeyValue), more = 3, count = 4. */
  private static final int RANGE_RESPONSE_KVS = 2;

  private final ManagedChannel channel;
  private final String address;

  /** A client of etcd's gRPC port at 127.0.0.1:{@code port}. */
  public EtcdGrpcTarget(int port) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.address = "127.0.0.1:" + port;
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    call(PUT, encode(key, value));
  }

  @Override
  public void get(String key) throws CallFailed {
    if (!holdsAKeyValue(call(RANGE, encode(key, null)))) {
      throw new CallFailed("NOT_FOUND", "no key " + key);
    }
  }

  private byte[] call(MethodDescriptor<byte[], byte[]> method, byte[] request) throws CallFailed {
    try {
      return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          request);
    } catch (StatusRuntimeException e) {
      throw new CallFailed(e.getStatus().getCode().name(), String.valueOf(e.getStatus().getDescription()));
    }
  }

  /** Request bytes: key = 1, and value = 2 when given. */
  static byte[] encode(String key, byte[] value) {
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

  /** Whether a RangeResponse carries at least one KeyValue. */
  static boolean holdsAKeyValue(byte[] response) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(response);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag >>> 3 == RANGE_RESPONSE_KVS) {
          return true;
        }
        in.skipField(tag);
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public OptionalLong replicationLagMs() {
    return OptionalLong.empty();
  }

  @Override
  public String describe() {
    return "etcd grpc " + address;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
