package io.kvdb.leader;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.core.config.Flags;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;

/** {@code java -jar kv-leader.jar [flags]}: runs a leader until SIGTERM or Ctrl-C. */
public final class LeaderMain {
  private LeaderMain() {}

  public static void main(String[] args) throws Exception {
    Flags flags = LeaderConfig.flags();
    LeaderConfig config;
    try {
      if (!flags.parse(args)) {
        return;
      }
      config = LeaderConfig.from(flags);
    } catch (IllegalArgumentException e) {
      System.err.println("kv leader: " + e.getMessage());
      System.exit(2);
      return;
    }
    NettyServerBuilder transport;
    try {
      // TLS, when configured, lives in the transport: this port then speaks nothing else.
      transport = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()),
          config.grpcSecurity().credentials());
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("kv leader: cannot use --tls-cert/--tls-key: " + e.getMessage());
      System.exit(2);
      return;
    }
    LeaderServer leader = new LeaderServer(config, transport);
    try {
      leader.start();
    } catch (StorageException e) {
      System.err.println("kv leader: " + e.getMessage());
      System.exit(3);
      return;
    } catch (IOException | IllegalStateException e) {
      System.err.println("kv leader: cannot start: " + e.getMessage());
      System.exit(4);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // The logger may already be shut down here: write to stderr.
      System.err.println("kv leader: shutting down");
      leader.stop();
      System.err.println("kv leader: stopped, data dir closed");
    }, "shutdown"));
    leader.blockUntilShutdown();
  }
}
