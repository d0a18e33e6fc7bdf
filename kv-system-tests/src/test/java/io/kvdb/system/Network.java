package io.kvdb.system;

import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvdb.testing.JavaProcess;
import java.time.Duration;
import java.util.List;

/**
 * Where the processes of a {@link TestCluster} run and how the test reaches them: by default all
 * on 127.0.0.1; {@link NetnsNetwork} puts each on a host of its own.
 */
interface Network {
  /** The address process {@code name} binds to, which the other processes use to reach it. */
  String address(String name);

  /** Words put before the java command that starts process {@code name}. */
  List<String> launcher(String name);

  /** Returns once process {@code name} serves on {@code port}, or fails with its log. */
  void awaitListening(JavaProcess process, String name, int port, Duration timeout);

  /** A channel from the test to {@code port} of process {@code name}, to be built by the caller. */
  NettyChannelBuilder channel(String name, int port, ChannelCredentials credentials);

  /** Every process on 127.0.0.1, reached directly. */
  Network LOOPBACK = new Network() {
    @Override
    public String address(String name) {
      return "127.0.0.1";
    }

    @Override
    public List<String> launcher(String name) {
      return List.of();
    }

    @Override
    public void awaitListening(JavaProcess process, String name, int port, Duration timeout) {
      process.awaitPort(port, timeout);
    }

    @Override
    public NettyChannelBuilder channel(String name, int port, ChannelCredentials credentials) {
      return NettyChannelBuilder.forAddress("127.0.0.1", port, credentials);
    }
  };
}
