package io.kvdb.follower;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.core.process.ProcessMain;
import java.net.InetSocketAddress;

/** {@code java -jar kv-follower.jar [flags]}: runs a follower until SIGTERM or Ctrl-C. */
public final class FollowerMain {
  private FollowerMain() {}

  public static void main(String[] args) throws InterruptedException {
    ProcessMain.run("kv follower", FollowerConfig.flags(), args, FollowerConfig::from,
        config -> new FollowerServer(config, transport(config)));
  }

  /** TLS, when configured, lives in the transport: the port then speaks nothing else. */
  private static NettyServerBuilder transport(FollowerConfig config) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()),
          config.grpcSecurity().credentials());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException("cannot use --tls-cert/--tls-key: " + e.getMessage(), e);
    }
  }
}
