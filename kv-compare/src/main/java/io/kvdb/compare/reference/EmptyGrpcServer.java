package io.kvdb.compare.reference;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server on the leader's transport (grpc-java's Netty server, default executor) with one
 * service, {@code grpc.health.v1.Health}: its Check does no work, so its rate is what one unary
 * call costs, the bound target 3 compares kvdb's put and get with.
 */
public final class EmptyGrpcServer implements AutoCloseable {
  private final Server server;

  private EmptyGrpcServer(Server server) {
    this.server = server;
  }

  /** Starts the server on {@code host:port}. */
  public static EmptyGrpcServer start(String host, int port) {
    try {
      Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
          .addService(new HealthStatusManager().getHealthService()).build().start();
      return new EmptyGrpcServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the empty gRPC server on " + host + ":" + port, e);
    }
  }

  /** Blocks until the server is shut down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
  }
}
