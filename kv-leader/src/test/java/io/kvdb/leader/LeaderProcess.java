package io.kvdb.leader;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The leader as an operator runs it: {@code java -jar kv-leader.jar} in its own JVM on free
 * loopback ports, reached over TCP with the generated stubs.
 */
final class LeaderProcess implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final int grpcPort = FreePorts.next();
  final int metricsPort = FreePorts.next();
  final int pubPort = FreePorts.next();
  final int controlPort = FreePorts.next();
  final Path dataDir;
  private final Path logDir;
  private final String name;
  private JavaProcess process;
  private ManagedChannel channel;

  LeaderProcess(String name, Path dataDir, Path logDir) {
    this.name = name;
    this.dataDir = dataDir;
    this.logDir = logDir;
  }

  /** Starts (or restarts, on the same ports and data dir) and waits for both listeners. */
  LeaderProcess start(String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1",
        "--grpc-port", Integer.toString(grpcPort), "--metrics-port", Integer.toString(metricsPort),
        "--pub-port", Integer.toString(pubPort), "--control-port", Integer.toString(controlPort),
        "--data-dir", dataDir.toString()));
    args.addAll(Arrays.asList(extraArgs));
    process = JavaProcess.start(name, JavaProcess.jarOf("kv-leader"), logDir, args.toArray(new String[0]));
    process.awaitPort(grpcPort, START_TIMEOUT).awaitPort(metricsPort, START_TIMEOUT);
    return this;
  }

  JavaProcess process() {
    return process;
  }

  ManagedChannel channel() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }
    return channel;
  }

  KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ClusterGrpc.ClusterBlockingStub cluster() {
    return ClusterGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Drops the client channel, e.g. before the process dies, so the next call dials afresh. */
  void disconnect() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
  }

  String log() {
    return process == null ? "(not started)" : process.log();
  }

  @Override
  public void close() throws Exception {
    disconnect();
    if (process != null && process.isAlive()) {
      process.kill();
    }
  }
}
