package io.kvdb.gateway;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.config.LeaderAddress;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A real leader (LevelDB, write pipeline, gRPC over Netty on 127.0.0.1) inside the test JVM, so the
 * gateway talks to it over a real socket. It can be stopped and started again on the same port and
 * data dir, as an operator restarts a leader.
 */
final class InProcessLeader implements AutoCloseable {
  private final LeaderConfig config;
  private LeaderServer server;
  private int port;
  private ManagedChannel channel;

  private InProcessLeader(LeaderConfig config) {
    this.config = config;
  }

  /** Starts a leader with 8 shards in {@code dataDir}, on any free port. */
  static InProcessLeader start(Path dataDir, Limits limits) {
    InProcessLeader leader = new InProcessLeader(LeaderConfig.forTest(dataDir).withLimits(limits));
    leader.startOn(0);
    return leader;
  }

  /** Starts (again) on {@code port}; 0 picks a free one. */
  void startOn(int wanted) {
    server = new LeaderServer(config, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", wanted)));
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    port = server.grpcPort();
  }

  /** Starts again on the port it had, with the same data. */
  void restart() {
    startOn(port);
  }

  void stop() {
    server.stop();
  }

  int port() {
    return port;
  }

  LeaderAddress address() {
    return new LeaderAddress("127.0.0.1", port);
  }

  /** A blocking stub straight to the leader (not through the gateway), for setting up and checking. */
  KVGrpc.KVBlockingStub kv() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }
    return KVGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    server.stop();
  }
}
