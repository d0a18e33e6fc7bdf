package io.kvdb.leader;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@link LeaderServer} over a real data dir, one per test class
 * ({@code @RegisterExtension static}), with stubs that carry a deadline. Served in-process, or on
 * loopback TCP for what only a real transport does (message size limits).
 */
final class TestLeader implements BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<LeaderConfig> configure;
  private final boolean overTcp;
  private Path dataDir;
  private LeaderServer leader;
  private ManagedChannel channel;

  private TestLeader(UnaryOperator<LeaderConfig> configure, boolean overTcp) {
    this.configure = configure;
    this.overTcp = overTcp;
  }

  /** {@code configure} adjusts {@link LeaderConfig#forTest} (8 shards, durable, default limits). */
  static TestLeader inProcess(UnaryOperator<LeaderConfig> configure) {
    return new TestLeader(configure, false);
  }

  static TestLeader inProcess() {
    return inProcess(UnaryOperator.identity());
  }

  /** On 127.0.0.1 with an ephemeral port, through Netty as in production. */
  static TestLeader overLoopback(UnaryOperator<LeaderConfig> configure) {
    return new TestLeader(configure, true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("kvdb-leader-test");
    LeaderConfig config = configure.apply(LeaderConfig.forTest(dataDir));
    if (overTcp) {
      leader = new LeaderServer(config, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
      leader.start();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    } else {
      String name = InProcessServerBuilder.generateName();
      leader = new LeaderServer(config, InProcessServerBuilder.forName(name));
      leader.start();
      channel = InProcessChannelBuilder.forName(name).build();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (leader != null) {
      leader.stop();
    }
    deleteRecursively(dataDir);
  }

  KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  KVGrpc.KVFutureStub kvFuture() {
    return KVGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  ClusterGrpc.ClusterBlockingStub cluster() {
    return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ManagedChannel channel() {
    return channel;
  }

  LeaderServer server() {
    return leader;
  }

  /** {@code config} with another shard count; empty: the default of a new data dir (64). */
  static LeaderConfig withShards(LeaderConfig c, OptionalInt shards) {
    return new LeaderConfig(c.host(), c.grpcPort(), c.pubPort(), c.controlPort(), c.metricsPort(), c.dataDir(),
        shards, c.replicationFactor(), c.durable(), c.limits(), c.backlogPerShard(), c.heartbeatMs(),
        c.deadTimeoutMs(), c.ackTimeoutMs(), c.minFreeDiskBytes());
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
