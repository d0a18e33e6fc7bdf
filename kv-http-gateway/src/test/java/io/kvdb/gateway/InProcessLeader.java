package io.kvdb.gateway;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.common.net.HostPort;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.config.Limits;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.security.ServerTls;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real leader (LevelDB, write pipeline, gRPC over Netty on 127.0.0.1) inside the test JVM, so the
 * gateway talks to it over a real socket, optionally with TLS and bearer tokens as LeaderMain sets
 * them up. It can be stopped and started again on the same port and data dir, as an operator
 * restarts a leader.
 */
final class InProcessLeader implements AutoCloseable {
  private final LeaderConfig config;
  private LeaderServer server;
  private int port;
  private ManagedChannel channel;

  private InProcessLeader(LeaderConfig config) {
    this.config = config;
  }

  /** Starts a leader with 8 shards in {@code dataDir}, on any free port, open to anyone. */
  static InProcessLeader start(Path dataDir, Limits limits) {
    return start(dataDir, limits, GrpcSecurity.NONE);
  }

  /** As {@link #start(Path, Limits)}, with TLS and/or bearer tokens on its gRPC port. */
  static InProcessLeader start(Path dataDir, Limits limits, GrpcSecurity security) {
    InProcessLeader leader = new InProcessLeader(
        LeaderConfig.forTest(dataDir).withLimits(limits).withSecurity(security, Optional.empty()));
    leader.startOn(0);
    return leader;
  }

  /** Starts a leader as {@code config} says, on any free port. */
  static InProcessLeader start(LeaderConfig config) {
    InProcessLeader leader = new InProcessLeader(config);
    leader.startOn(0);
    return leader;
  }

  /** Starts (again) on {@code port}; 0 picks a free one. */
  void startOn(int wanted) {
    server = new LeaderServer(config, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", wanted),
        config.grpcSecurity().credentials()));
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

  /** The port of its /metrics. */
  int metricsPort() {
    return server.metricsPort();
  }

  HostPort address() {
    return new HostPort("127.0.0.1", port);
  }

  /** A blocking stub straight to the leader (not through the gateway), for setting up and checking. */
  KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel());
  }

  /** {@link #kv()} sending {@code token}, for a leader with tokens. */
  KVGrpc.KVBlockingStub kv(String token) {
    return withToken(kv(), token);
  }

  ClusterGrpc.ClusterBlockingStub cluster(String token) {
    return withToken(ClusterGrpc.newBlockingStub(channel()), token);
  }

  private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** Plaintext, or TLS trusting the leader's own (self-signed) certificate. */
  private ManagedChannel channel() {
    if (channel == null) {
      ChannelCredentials credentials = config.grpcSecurity().tls().map(ServerTls::certFile).map(cert -> {
        try {
          return TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).orElseGet(InsecureChannelCredentials::create);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
    }
    return channel;
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    server.stop();
  }
}
