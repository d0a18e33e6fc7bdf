package io.kvdb.compare.systems;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.client.KvOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * kvdb in the topology of {@code ./kv local}, from the packaged jars: a leader (sync durability),
 * {@link #FOLLOWERS} followers and a gateway, each on free ports of 127.0.0.1, data in the
 * comparison's temp dir. Started when both followers are live on the leader.
 *
 * @param leaderGrpcPort the leader's gRPC port (kv-client's target)
 * @param gatewayPort the gateway's HTTP port
 */
public record KvdbCluster(int leaderGrpcPort, int gatewayPort) {
  static final int FOLLOWERS = 2;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** The leader's gRPC address. */
  public String leaderAddress() {
    return "127.0.0.1:" + leaderGrpcPort;
  }

  /**
   * Starts a cluster named {@code name} (its processes' log names and data dirs) with
   * {@code replicationFactor} copies of each shard.
   *
   * @throws IllegalStateException when a process does not start, with its log's tail
   */
  public static KvdbCluster start(Processes processes, Launch launch, String name, int replicationFactor) {
    Leader leader = startLeader(processes, launch, name, replicationFactor);
    for (int i = 1; i <= FOLLOWERS; i++) {
      startFollower(processes, launch, name, leader, i);
    }
    int http = processes.freePort();
    Processes.Started gateway = processes.start(name + "-gateway", launch.jar("kv-http-gateway", "--host",
        "127.0.0.1", "--port", http + "", "--leader", "127.0.0.1:" + leader.grpcPort()));
    processes.awaitPort(gateway, http, START_TIMEOUT);
    KvdbCluster cluster = new KvdbCluster(leader.grpcPort(), http);
    cluster.awaitFollowersLive(name);
    return cluster;
  }

  /**
   * A started leader.
   *
   * @param grpcPort its gRPC port
   * @param pubPort its ZeroMQ PUB port
   * @param controlPort its ZeroMQ control port
   * @param process its process, for {@link Processes#stop}
   */
  public record Leader(int grpcPort, int pubPort, int controlPort, Processes.Started process) {
    /** Its gRPC address. */
    public String address() {
      return "127.0.0.1:" + grpcPort;
    }
  }

  /** Starts the leader of cluster {@code name} (sync durability) and waits for its gRPC port. */
  public static Leader startLeader(Processes processes, Launch launch, String name, int replicationFactor) {
    int grpcPort = processes.freePort();
    int pubPort = processes.freePort();
    int controlPort = processes.freePort();
    Processes.Started started = processes.start(name + "-leader", launch.jar("kv-leader", "--host", "127.0.0.1",
        "--grpc-port", grpcPort + "", "--pub-port", pubPort + "", "--control-port",
        controlPort + "", "--metrics-port", processes.freePort() + "", "--data-dir",
        processes.dir().resolve(name + "/leader").toString(), "--durability", "sync", "--replication-factor",
        replicationFactor + ""));
    processes.awaitPort(started, grpcPort, START_TIMEOUT);
    return new Leader(grpcPort, pubPort, controlPort, started);
  }

  /** Starts follower {@code follower-i} of cluster {@code name}, with an empty data dir of its own. */
  public static Processes.Started startFollower(Processes processes, Launch launch, String name, Leader leader, int i) {
    int followerGrpc = processes.freePort();
    return processes.start(name + "-follower-" + i, launch.jar("kv-follower", "--host", "127.0.0.1", "--leader",
        "127.0.0.1", "--leader-pub-port", leader.pubPort() + "", "--leader-control-port", leader.controlPort() + "",
        "--id", "follower-" + i, "--grpc-port", followerGrpc + "", "--advertise", "127.0.0.1:" + followerGrpc,
        "--metrics-port", processes.freePort() + "",
        "--data-dir", processes.dir().resolve(name + "/follower-" + i).toString()));
  }

  /** Waits until the leader lists every follower alive, so that the R=2 writes have their two copies. */
  private void awaitFollowersLive(String name) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    long live = 0;
    try (KvClient client = KvClient.connect(leaderAddress(), KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(5)))) {
      while (System.nanoTime() < deadline) {
        try {
          live = client.status().getFollowersList().stream().filter(FollowerInfo::getAlive).count();
          if (live >= FOLLOWERS) {
            return;
          }
        } catch (KvException notYet) {
          // the leader is starting: try again
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
    throw new IllegalStateException(name + ": " + live + " of " + FOLLOWERS + " followers live after "
        + START_TIMEOUT.toSeconds() + " s");
  }
}
