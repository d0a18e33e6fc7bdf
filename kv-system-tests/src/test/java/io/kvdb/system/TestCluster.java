package io.kvdb.system;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.core.security.BearerAuthInterceptor;
import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A cluster of real kvdb processes, started from the packaged jars: one leader and any number of
 * followers, on 127.0.0.1 or on the hosts of a {@link Network}. Ports are chosen once, so a
 * restarted process comes back on the same ones.
 */
final class TestCluster implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The leader's process name (its log file, its host in a {@link Network}). */
  static final String LEADER = "leader";
  /** The HTTP gateway's process name. */
  static final String GATEWAY = "gateway";
  /** The test's clients wait as the CLI does: a loaded 2-core machine answers slowly. */
  static final KvOptions CLIENT_OPTIONS = KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30));

  final Path dir;
  final Network network;
  final int grpcPort = FreePorts.next();
  final int pubPort = FreePorts.next();
  final int controlPort = FreePorts.next();
  final int metricsPort = FreePorts.next();
  final int gatewayPort = FreePorts.next();
  private final List<String> leaderArgs;
  private JavaProcess leader;
  private JavaProcess gateway;
  private ManagedChannel leaderChannel;
  private KvClient client;
  /** The test's clients: TLS trusting this certificate (null: plaintext), with this bearer token (null: none). */
  private Path trustedCert;
  private String token;
  final Map<String, Follower> followers = new LinkedHashMap<>();

  /** One follower: its process, ports and channel. */
  final class Follower {
    final String id;
    final int grpcPort = FreePorts.next();
    final int metricsPort = FreePorts.next();
    final Path dataDir;
    /** Flags added at every (re)start. */
    List<String> extraArgs;
    JavaProcess process;
    ManagedChannel channel;

    Follower(String id, List<String> extraArgs) {
      this.id = id;
      this.dataDir = dir.resolve(id);
      this.extraArgs = extraArgs;
    }

    void start() {
      List<String> args = new ArrayList<>(List.of("--id", id, "--host", network.address(id),
          "--leader", network.address(LEADER),
          "--leader-pub-port", Integer.toString(pubPort), "--leader-control-port", Integer.toString(controlPort),
          "--grpc-port", Integer.toString(grpcPort), "--metrics-port", Integer.toString(metricsPort),
          "--data-dir", dataDir.toString()));
      args.addAll(extraArgs);
      process = JavaProcess.start(id, network.launcher(id), JavaProcess.jarOf("kv-follower"), dir.resolve("logs"),
          args.toArray(String[]::new));
      network.awaitListening(process, id, grpcPort, START_TIMEOUT);
      if (channel == null) {
        channel = channelTo(id, grpcPort);
      }
    }

    FollowerGrpc.FollowerBlockingStub stub() {
      return FollowerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** The Java client of this follower, over the test's channel (its TLS and token). */
    FollowerClient client() {
      return FollowerClient.over(channel, CLIENT_OPTIONS);
    }

    FollowerStatusResponse status() {
      return client().status();
    }

    String log() {
      return process.log();
    }
  }

  TestCluster(Path dir, String... leaderArgs) {
    this(dir, Network.LOOPBACK, leaderArgs);
  }

  TestCluster(Path dir, Network network, String... leaderArgs) {
    this.dir = dir;
    this.network = network;
    this.leaderArgs = List.of(leaderArgs);
  }

  /** Starts (or restarts) the leader on its data dir and ports. */
  TestCluster startLeader() {
    return startLeader(dir.resolve("leader"));
  }

  TestCluster startLeader(Path dataDir) {
    return startLeader(dataDir, new String[0]);
  }

  /** Starts the leader on {@code dataDir} with {@code extraArgs} after the cluster's leader flags. */
  TestCluster startLeader(Path dataDir, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--host", network.address(LEADER), "--grpc-port", Integer.toString(grpcPort),
        "--pub-port", Integer.toString(pubPort), "--control-port", Integer.toString(controlPort),
        "--metrics-port", Integer.toString(metricsPort), "--data-dir", dataDir.toString()));
    args.addAll(leaderArgs);
    args.addAll(List.of(extraArgs));
    leader = JavaProcess.start(LEADER, network.launcher(LEADER), JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
        args.toArray(String[]::new));
    network.awaitListening(leader, LEADER, grpcPort, START_TIMEOUT);
    if (leaderChannel == null) {
      leaderChannel = channelTo(LEADER, grpcPort);
      client = KvClient.over(leaderChannel, CLIENT_OPTIONS);
    }
    return this;
  }

  /**
   * Makes the test's own clients (leader and follower stubs) use TLS with {@code trustedCert} as
   * trust root and send {@code token} as bearer token, for clusters started with --tls-cert and
   * --token-file. Call before starting processes.
   */
  TestCluster secureClients(Path trustedCert, String token) {
    this.trustedCert = trustedCert;
    this.token = token;
    return this;
  }

  /** A channel to process {@code name} of this cluster, as the test's clients are configured. */
  ManagedChannel channelTo(String name, int port) {
    ChannelCredentials credentials;
    try {
      credentials = trustedCert == null ? InsecureChannelCredentials.create()
          : TlsChannelCredentials.newBuilder().trustManager(trustedCert.toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NettyChannelBuilder builder = network.channel(name, port, credentials);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(BearerHeader.AUTHORIZATION, "Bearer " + token);
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    return builder.build();
  }

  JavaProcess leader() {
    return leader;
  }

  /** Starts (or restarts) the HTTP gateway in front of the leader, on its port. */
  TestCluster startGateway(String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--host", network.address(GATEWAY), "--port",
        Integer.toString(gatewayPort), "--leader", network.address(LEADER) + ":" + grpcPort));
    args.addAll(List.of(extraArgs));
    gateway = JavaProcess.start(GATEWAY, network.launcher(GATEWAY), JavaProcess.jarOf("kv-http-gateway"),
        dir.resolve("logs"), args.toArray(String[]::new));
    network.awaitListening(gateway, GATEWAY, gatewayPort, START_TIMEOUT);
    return this;
  }

  JavaProcess gateway() {
    return gateway;
  }

  Follower addFollower(String id, String... extraArgs) {
    Follower follower = new Follower(id, List.of(extraArgs));
    followers.put(id, follower);
    follower.start();
    return follower;
  }

  Follower follower(String id) {
    return followers.get(id);
  }

  /** The test's channel to the leader's gRPC port (kept across leader restarts). */
  ManagedChannel leaderChannel() {
    return leaderChannel;
  }

  /**
   * The Java client of the leader, over the test's channel (its TLS and token, kept across leader
   * restarts): what the load generators and checks use.
   */
  KvClient client() {
    return client;
  }

  /** A raw stub, for tests that need the wire messages themselves. */
  KVGrpc.KVBlockingStub kv() {
    return KVGrpc.newBlockingStub(leaderChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  KVGrpc.KVFutureStub kvAsync() {
    return KVGrpc.newFutureStub(leaderChannel);
  }

  ClusterGrpc.ClusterBlockingStub cluster() {
    return ClusterGrpc.newBlockingStub(leaderChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  StatusResponse status() {
    return client.status();
  }

  FollowerInfo info(String id) {
    return status().getFollowersList().stream().filter(f -> f.getId().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("the leader does not know follower " + id));
  }

  /** Waits until the leader lists the follower as alive. */
  void awaitAlive(String id) {
    await("the leader sees follower " + id + " alive", START_TIMEOUT,
        () -> status().getFollowersList().stream().anyMatch(f -> f.getId().equals(id) && f.getAlive()));
  }

  /** Polls {@code condition} until true or the timeout, then fails with {@code what} and the logs' tails. */
  void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // e.g. a process still starting: poll again
      }
      sleep(100);
    }
    throw new AssertionError("timed out after " + timeout + " waiting until " + what + "\n" + logTails());
  }

  String logTails() {
    StringBuilder out = new StringBuilder();
    if (leader != null) {
      out.append("--- leader log (tail) ---\n").append(tail(leader.log()));
    }
    if (gateway != null) {
      out.append("--- gateway log (tail) ---\n").append(tail(gateway.log()));
    }
    followers.values().forEach(f -> {
      if (f.process != null) {
        out.append("--- ").append(f.id).append(" log (tail) ---\n").append(tail(f.log()));
      }
    });
    return out.toString();
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    StringBuilder out = new StringBuilder();
    for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
      out.append(lines[i]).append('\n');
    }
    return out.toString();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
    followers.values().forEach(f -> {
      if (f.channel != null) {
        f.channel.shutdownNow();
      }
      if (f.process != null) {
        f.process.close();
      }
    });
    if (leaderChannel != null) {
      leaderChannel.shutdownNow();
    }
    if (leader != null) {
      leader.close();
    }
  }
}
