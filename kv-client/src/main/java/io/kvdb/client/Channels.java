package io.kvdb.client;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.kvdb.common.net.HostPort;
import java.util.concurrent.TimeUnit;

/**
 * Channels that {@link KvClient#connect} and {@link FollowerClient#connect} build: to {@code HOST:PORT}
 * (IPv6 hosts in brackets), through whichever gRPC transport is on the class path
 * (grpc-netty-shaded comes with this library), secured as a {@link TlsTrust} says.
 */
final class Channels {
  private Channels() {}

  /**
   * A channel to {@code address}; it connects on its first call.
   *
   * @throws IllegalArgumentException when the address is not HOST:PORT
   */
  static ManagedChannel open(String address, TlsTrust tls) {
    HostPort target = HostPort.parse("the address", address);
    return Grpc.newChannelBuilderForAddress(target.host(), target.port(), tls.credentials()).build();
  }

  /** Closes {@code channel} (null: nothing to close) at once, waiting a little for its threads to end. */
  static void close(ManagedChannel channel) {
    if (channel == null) {
      return;
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
