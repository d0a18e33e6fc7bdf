package io.kvdb.compare.targets;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvdb.cli.bench.Target;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The empty unary call: {@code grpc.health.v1.Health/Check} on the reference gRPC server, for both
 * put and get (the key and value are not sent). One channel shared by every client thread, as
 * kv-client's is.
 */
public final class EmptyCallTarget implements Target {
  private final ManagedChannel channel;
  private final HealthGrpc.HealthBlockingStub health;
  private final String address;

  /** A client of the empty gRPC server at 127.0.0.1:{@code port}. */
  public EmptyCallTarget(int port) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.health = HealthGrpc.newBlockingStub(channel);
    this.address = "127.0.0.1:" + port;
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    check();
  }

  @Override
  public void get(String key) throws CallFailed {
    check();
  }

  private void check() throws CallFailed {
    try {
      health.withDeadlineAfter(30, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw new CallFailed(e.getStatus().getCode().name(), String.valueOf(e.getStatus().getDescription()));
    }
  }

  @Override
  public OptionalLong replicationLagMs() {
    return OptionalLong.empty();
  }

  @Override
  public String describe() {
    return "empty grpc " + address;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
