package io.kvdb.leader;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.core.process.ProcessMain;
import java.net.InetSocketAddress;

/** {@code java -jar kv-leader.jar [flags]}: runs a leader until SIGTERM or Ctrl-C. */
public final class LeaderMain {
  private LeaderMain() {}

  public static void main(String[] args) throws InterruptedException {
    ProcessMain.run("kv leader", LeaderConfig.flags(), args, LeaderConfig::from,
        config -> new LeaderServer(config, transport(config)));
  }

  /** TLS, when configured, lives in the transport: the port then speaks nothing else. */
  private static NettyServerBuilder transport(LeaderConfig config) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.grpcPort()),
          config.grpcSecurity().credentials());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException("cannot use --tls-cert/--tls-key: " + e.getMessage(), e);
    }
  }
}
