package io.kvdb.follower;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.core.config.Flags;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;

/** {@code java -jar kv-follower.jar [flags]}: runs a follower until SIGTERM or Ctrl-C. */
public final class FollowerMain {
  private FollowerMain() {}

  public static void main(String[] args) throws Exception {
    Flags flags = FollowerConfig.flags();
    FollowerConfig config;
    try {
      if (!flags.parse(args)) {
        return;
      }
      config = FollowerConfig.from(flags);
    } catch (IllegalArgumentException e) {
      System.err.println("kv follower: " + e.getMessage());
      System.exit(2);
      return;
    }
    NettyServerBuilder transport;
    try {
      // TLS, when configured, lives in the transport: this port then speaks nothing else.
      transport = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()),
          config.grpcSecurity().credentials());
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("kv follower: cannot use --tls-cert/--tls-key: " + e.getMessage());
      System.exit(2);
      return;
    }
    FollowerServer follower = new FollowerServer(config, transport);
    try {
      follower.start();
    } catch (StorageException e) {
      System.err.println("kv follower: " + e.getMessage());
      System.exit(3);
      return;
    } catch (IOException | IllegalStateException e) {
      System.err.println("kv follower: cannot start: " + e.getMessage());
      System.exit(4);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // The logger may already be shut down here: write to stderr.
      System.err.println("kv follower: shutting down");
      follower.stop();
      System.err.println("kv follower: stopped, data dir closed");
    }, "shutdown"));
    follower.blockUntilShutdown();
  }
}
