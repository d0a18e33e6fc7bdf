package io.kvdb.follower;

import io.kvdb.core.request.Reads;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.process.OpenServices;
import io.kvdb.core.process.ProcessMain;
import io.kvdb.core.process.Shutdown;
import io.kvdb.common.metrics.ProcessMetrics;
import io.kvdb.common.net.Loopback;
import io.kvdb.core.follower.FollowerSync;
import io.kvdb.core.follower.FollowerView;
import io.kvdb.core.follower.ReplicaCheck;
import io.kvdb.core.follower.ReplicaMetrics;
import io.kvdb.core.follower.ReplicaStore;
import io.kvdb.core.follower.SyncOptions;
import io.kvdb.core.metrics.ApplyMeters;
import io.kvdb.core.metrics.MetricsHttpServer;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.follower.FollowerReadService;
import io.kvdb.core.follower.FollowerSnapshots;
import io.kvdb.core.request.RequestParsing;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.OldFormatException;
import io.kvdb.core.storage.ShardState;
import java.io.IOException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * The follower process: opens its data dir, verifies what it holds, replicates its shards from the
 * leader on the "kv-replica" thread, and serves them read-only over gRPC plus /metrics and /health.
 */
public final class FollowerServer implements ProcessMain.Server {
  private static final Logger log = LoggerFactory.getLogger(FollowerServer.class);
  private static final String FOLLOWER_ID = "follower_id";

  private final FollowerConfig config;
  private final ServerBuilder<?> serverBuilder;
  private final Supervisor supervisor;
  private final ProcessMetrics metrics = new ProcessMetrics();
  private final ReplicaMetrics applyMeters = new ApplyMeters(metrics.registry());
  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicReference<FollowerView> view = new AtomicReference<>();
  private KvStore store;
  private ZContext zmq;
  private ReplicationLoop loop;
  private Thread loopThread;
  private Server server;
  private MetricsHttpServer metricsServer;
  /** Reads the chunks of Follower.Snapshot streams, off the transport's threads. */
  private ExecutorService dumps;

  /** A follower whose process exits with status 70 if one of its threads dies. */
  public FollowerServer(FollowerConfig config, ServerBuilder<?> serverBuilder) {
    this(config, serverBuilder, Supervisor.exitingJvm("kv follower"));
  }

  /** A follower whose threads are watched by {@code supervisor} (tests record its exit instead). */
  public FollowerServer(FollowerConfig config, ServerBuilder<?> serverBuilder, Supervisor supervisor) {
    this.config = config;
    this.serverBuilder = serverBuilder;
    this.supervisor = supervisor;
  }

  @Override
  public void start() throws IOException {
    // Before LevelDB opens (it writes at once): on a full disk its mmap writes kill the JVM.
    DiskSpace disk = new DiskSpace(config.dataDir(), "follower", config.minFreeDiskBytes());
    disk.checkAtStart();
    ReplicaStore replica;
    Set<Integer> suspect;
    try {
      store = KvStore.open(config.dataDir(), false);
      replica = ReplicaStore.openExisting(store, applyMeters);
      suspect = replica == null ? Set.of() : ReplicaCheck.suspectShards(replica);
    } catch (RuntimeException e) {
      if (!CorruptDataDir.isCorruption(e) && !(e instanceof OldFormatException)) {
        stop();
        throw e;
      }
      if (store != null) {
        store.close();
        store = null;
      }
      CorruptDataDir.setAside(config.dataDir(), e);
      store = KvStore.open(config.dataDir(), false);
      replica = null;
      suspect = Set.of();
    }
    try {
      String id = resolveId();
      view.set(FollowerView.connecting(id, replica == null ? 0 : replica.shards()));
      // Tokens guard the read API only; health and reflection stay open (no data in them).
      dumps = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "kv-dump");
        thread.setDaemon(true);
        return thread;
      });
      FollowerSnapshots snapshots = new FollowerSnapshots(store, view::get, dumps);
      server = OpenServices.addTo(serverBuilder, health)
          .addService(ServerInterceptors.intercept(config.grpcSecurity().protect(() -> RequestParsing.checked(
              new FollowerReadService(store, this::readable, this::status, snapshots).bindService())),
              new GrpcMetricsInterceptor(metrics.registry())))
          .build()
          .start();
      String address = config.advertisedAddress(server.getPort());
      zmq = new ZContext();
      FollowerSync sync = new FollowerSync(new SyncOptions(id, address, config.acceptNewLeader(), config.catchUpBatch()),
          store, replica, suspect, disk, applyMeters, FollowerServer::monotonicMs, view::set);
      loop = new ReplicationLoop(new LeaderLink(config, id, zmq), sync, FollowerServer::monotonicMs);
      // A dead replication thread would leave the shards served as live while nothing moves.
      supervisor.onDeath(() -> supervisor.death().ifPresent(death -> view.updateAndGet(v -> v.failed(death.describe()))));
      supervisor.onDeath(() -> health.setStatus("", ServingStatus.NOT_SERVING));
      loopThread = supervisor.start("kv-replica", loop);
      FollowerMeters.bind(metrics.registry(), view, store);
      metricsServer = new MetricsHttpServer(config.host(), config.metricsPort(), metrics::scrape, this::healthJson);
      health.setStatus("", ServingStatus.SERVING);
      log.info("follower {} (data in {}) following leader {} (PUB :{}, control :{})", id, config.dataDir(),
          config.leaderHost(), config.leaderPubPort(), config.leaderControlPort());
      log.info("gRPC (Follower read API, health, reflection) listening on {}:{}, advertised as {} ({})",
          config.host(), server.getPort(), address, config.grpcSecurity().describe());
      log.info("replication from the leader: {}", config.curve()
          .map(c -> "CURVE, this follower's public key " + c.keys().publicKey() + ", leader key " + c.leaderPublicKey())
          .orElse("plaintext"));
      log.info("HTTP /metrics and /health listening on {}:{} (plaintext, no data)", config.host(), metricsServer.port());
      config.grpcSecurity().exposure(config.host()).ifPresent(log::warn);
      if (config.curve().isEmpty() && !Loopback.isLoopback(config.leaderHost())) {
        log.warn("replication from {} is not secured: events travel unencrypted and nothing proves they come from"
            + " the leader (see --curve-key-file)", config.leaderHost());
      }
    } catch (IOException | RuntimeException e) {
      stop();
      throw e;
    }
  }

  private String resolveId() {
    String stored = store.metaString(FOLLOWER_ID).orElse("");
    if (!config.id().isEmpty()) {
      if (!stored.isEmpty() && !stored.equals(config.id())) {
        log.warn("data dir belonged to follower {}; it is follower {} from now on", stored, config.id());
      }
      if (!stored.equals(config.id())) {
        store.putMetaSynced(FOLLOWER_ID, config.id());
      }
      return config.id();
    }
    if (stored.isEmpty()) {
      stored = "f-" + UUID.randomUUID().toString().substring(0, 8);
      store.putMetaSynced(FOLLOWER_ID, stored);
    }
    return stored;
  }

  private FollowerReadService.Readable readable() {
    FollowerView now = view.get();
    Set<Integer> live = now.live();
    Set<Integer> readable = now.readable();
    return new FollowerReadService.Readable(now.shards(), live::contains, readable::contains, now.withdrawals(),
        now.limits());
  }

  private FollowerStatusResponse status() {
    FollowerView now = view.get();
    FollowerStatusResponse.Builder out = FollowerStatusResponse.newBuilder()
        .setId(now.id()).setLeaderId(now.leaderId()).setLeaderEpoch(now.leaderEpoch()).setState(now.state())
        .setReason(now.reason()).setAssignmentVersion(now.assignmentVersion()).setShardCount(now.shards());
    // Assigned shards, and any other shard with data (e.g. kept while refusing a new leader).
    for (int shard = 0; shard < now.shards(); shard++) {
      ShardState state = store.shardState(shard);
      if (now.assigned().contains(shard) || state.seq() > 0 || state.keys() > 0) {
        out.addShards(Reads.digest(shard, state));
      }
      if (now.readable().contains(shard)) {
        out.addReadableShards(ShardSeq.newBuilder().setShard(shard).setSeq(state.seq()));
      }
    }
    return out.build();
  }

  private MetricsHttpServer.Health healthJson() {
    FollowerView now = view.get();
    boolean serving = server != null && !server.isShutdown() && !"refused".equals(now.state())
        && supervisor.death().isEmpty();
    String error = supervisor.death().map(death -> ",\"error\":\"" + jsonText(death.describe()) + "\"").orElse("");
    return new MetricsHttpServer.Health(serving, String.format(
        "{\"status\":\"%s\",\"role\":\"follower\",\"id\":\"%s\",\"state\":\"%s\",\"leaderId\":\"%s\"%s}",
        serving ? "SERVING" : "NOT_SERVING", now.id(), now.state(), now.leaderId(), error));
  }

  /** {@code text} as the inside of a JSON string. */
  private static String jsonText(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }

  public int grpcPort() {
    return server.getPort();
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  /** The follower's state as its gRPC Status reports it. */
  public FollowerStatusResponse statusNow() {
    return status();
  }

  @Override
  public synchronized void stop() {
    supervisor.stopping();
    health.enterTerminalState();
    if (server != null) {
      Shutdown.grpc(server);
    }
    if (dumps != null) { // before the store closes: a snapshot stream reads it
      Shutdown.executor(dumps);
      dumps = null;
    }
    if (metricsServer != null) {
      metricsServer.close();
      metricsServer = null;
    }
    metrics.close();
    if (loop != null) {
      loop.stop();
      Shutdown.join(loopThread);
      loop = null;
    }
    if (zmq != null) {
      zmq.close();
      zmq = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Override
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }
}
