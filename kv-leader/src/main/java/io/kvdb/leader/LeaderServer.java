package io.kvdb.leader;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.process.OpenServices;
import io.kvdb.core.process.ProcessMain;
import io.kvdb.core.process.Shutdown;
import io.kvdb.core.metrics.Metrics;
import io.kvdb.core.metrics.MetricsHttpServer;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.Membership;
import io.kvdb.core.leader.SnapshotSource;
import io.kvdb.core.security.CurveServer;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.security.ZapHandler;
import io.kvdb.core.leader.ClusterService;
import io.kvdb.core.leader.KvService;
import io.kvdb.core.request.RequestParsing;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.leader.replication.ControlServer;
import io.kvdb.leader.replication.Publisher;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The leader process: opens the data dir, starts the write pipeline and serves KV, Cluster, health
 * and reflection over gRPC, plus /metrics and /health over HTTP. The gRPC transport comes from the
 * {@link ServerBuilder} handed in, so tests can use an in-process one.
 */
public final class LeaderServer implements ProcessMain.Server {
  private static final Logger log = LoggerFactory.getLogger(LeaderServer.class);
  /** An unfinished snapshot transfer is abandoned (and its backlog pin dropped) after this idle time. */
  private static final long SNAPSHOT_IDLE_MS = 60_000;
  /** Threads that read List pages, off the transport's threads (see KvService). */
  private static final int LIST_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final LeaderConfig config;
  private final ServerBuilder<?> serverBuilder;
  private final Metrics metrics = new Metrics();
  private final HealthStatusManager health = new HealthStatusManager();
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private MetricsHttpServer metricsServer;
  private LeaderMetadata metadata;
  private ZContext zmq;
  private ZapHandler zap;
  private Publisher publisher;
  private ControlServer control;
  private ScheduledExecutorService timer;
  private ExecutorService lists;

  public LeaderServer(LeaderConfig config, ServerBuilder<?> serverBuilder) {
    this.config = config;
    this.serverBuilder = serverBuilder;
  }

  @Override
  public void start() throws IOException {
    // Before LevelDB opens (it writes at once): on a full disk its mmap writes kill the JVM.
    DiskSpace disk = new DiskSpace(config.dataDir(), "leader", config.minFreeDiskBytes());
    disk.checkAtStart();
    store = KvStore.open(config.dataDir(), config.durable());
    try {
      metadata = LeaderMetadata.start(store, config.shards(), ShardFunction.DEFAULT_SHARDS);
      ShardFunction shardFunction = new ShardFunction(metadata.shards());
      zmq = new ZContext();
      // The ZAP handler must be up before a CURVE socket binds: without it ZeroMQ lets every key in.
      zap = config.curve().map(curve -> curve.startAuthentication(zmq)).orElse(null);
      Consumer<ZMQ.Socket> secure = config.curve().<Consumer<ZMQ.Socket>>map(curve -> curve::secure)
          .orElse(socket -> {});
      publisher = new Publisher(zmq, config.host(), config.pubPort(), metadata.leaderId(), metadata.epoch(),
          config.heartbeatMs(), metadata.shards(), store::shardState, secure);
      BacklogPins pins = new BacklogPins();
      pipeline = new WritePipeline(store, shardFunction, metadata.leaderId(), metadata.epoch(),
          config.backlogPerShard(), pins, publisher, batch -> {
            disk.checkRoom(batch.bytes());
            store.write(batch);
          }, LeaderServer::monotonicMs);
      Membership membership = new Membership(store, metadata.shards(), config.replicationFactor(),
          config.deadTimeoutMs(), monotonicMs());
      timer = Executors.newSingleThreadScheduledExecutor(daemon("kv-ack-timer"));
      LeaderReplicas replicas = new LeaderReplicas(membership, pipeline::head, config.replicationFactor(), timer,
          LeaderServer::monotonicMs);
      control = new ControlServer(zmq, config.host(), config.controlPort(), metadata.leaderId(), metadata.epoch(),
          metadata.shards(), config.heartbeatMs(), config.limits(), membership, replicas, new CatchUpSource(store, pipeline::head),
          new SnapshotSource(store, pipeline::head, pins, SNAPSHOT_IDLE_MS), LeaderServer::monotonicMs, secure);
      lists = Executors.newFixedThreadPool(LIST_THREADS, daemon("kv-list"));
      KvService kv = new KvService(store, shardFunction, pipeline, replicas, config.limits(), config.ackTimeoutMs(),
          lists);
      ClusterService cluster = new ClusterService(pipeline, replicas, config.durable());
      GrpcMetricsInterceptor counting = new GrpcMetricsInterceptor(metrics);
      server = OpenServices.addTo(serverBuilder, health)
          .maxInboundMessageSize(config.limits().maxMessageBytes())
          // Calls run on the transport's threads: no call blocks (see KvService), and the hop to a
          // thread pool cost a third of the throughput (docs/PERFORMANCE.md).
          .directExecutor()
          // Tokens guard the data services only (counting stays outermost, so refusals are counted);
          // health and reflection stay open for probes and tools, and hold no data. Requests are
          // parsed inside the token check: an unauthenticated caller learns nothing from a parse error.
          .addService(ServerInterceptors.intercept(
              config.grpcSecurity().protect(() -> RequestParsing.checked(kv.bindService())), counting))
          .addService(ServerInterceptors.intercept(
              config.grpcSecurity().protect(() -> RequestParsing.checked(cluster.bindService())), counting))
          .build()
          .start();
      registerGauges(replicas);
      metricsServer = new MetricsHttpServer(config.host(), config.metricsPort(), metrics, this::healthJson);
    } catch (IOException | RuntimeException e) {
      stop();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(KVGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(ClusterGrpc.SERVICE_NAME, ServingStatus.SERVING);
    log.info("leader {} epoch {} with {} shards, data in {} (durability: {})", metadata.leaderId(), metadata.epoch(),
        metadata.shards(), config.dataDir(), config.durable() ? "sync, fsync before every reply" : "async, no fsync");
    log.info("gRPC (KV, Cluster, health, reflection) listening on {}:{} ({})", config.host(), grpcPort(),
        config.grpcSecurity().describe());
    String replication = config.curve().map(LeaderServer::describe).orElse("plaintext, any follower may connect");
    log.info("ZeroMQ PUB (replication events) listening on {}:{} ({})", config.host(), publisher.port(), replication);
    log.info("ZeroMQ ROUTER (follower control) listening on {}:{} ({})", config.host(), control.port(), replication);
    log.info("HTTP /metrics and /health listening on {}:{} (plaintext, no data)", config.host(), metricsServer.port());
    warnIfOpenToTheNetwork();
  }

  private static String describe(CurveServer curve) {
    return "CURVE, leader public key " + curve.keys().publicKey() + ", " + curve.authorized().size()
        + " authorized follower key(s)";
  }

  /** An unsecured port on a non-loopback address lets others on the network in. */
  private void warnIfOpenToTheNetwork() {
    config.grpcSecurity().exposure(config.host()).ifPresent(log::warn);
    if (config.curve().isEmpty() && !GrpcSecurity.isLoopback(config.host())) {
      log.warn("replication on {} is not secured: anyone who reaches the PUB port can read every write, and anyone"
          + " may register as a follower (see --curve-secret-key-file)", config.host());
    }
  }


  private void registerGauges(LeaderReplicas replicas) {
    metrics.gauge("kvdb_followers_alive", "Followers not declared dead", "", () ->
        replicas.followers().stream().filter(FollowerInfo::getAlive).count());
    metrics.gauge("kvdb_followers_lag_events_max", "Largest replication lag of a live follower, in events", "", () ->
        replicas.followers().stream().filter(FollowerInfo::getAlive).mapToLong(FollowerInfo::getLagEvents).max().orElse(0));
    metrics.gauge("kvdb_replication_bad_frames_total", "Malformed replication frames dropped", "", Frames::droppedFrames);
    if (zap != null) {
      ZapHandler handler = zap;
      metrics.gauge("kvdb_replication_handshakes_refused_total", "CURVE handshakes refused: key not authorized", "",
          handler::refused);
    }
    metrics.gauge("kvdb_leader_epoch", "Epoch of this leader run", "", () -> metadata.epoch());
    metrics.gauge("kvdb_keys", "Keys stored on the leader", "", () -> sumHeads(true));
    metrics.gauge("kvdb_writes_committed", "Sum of the shards' head seqs", "", () -> sumHeads(false));
  }

  private double sumHeads(boolean keys) {
    long sum = 0;
    for (int shard = 0; shard < pipeline.shards(); shard++) {
      sum += keys ? pipeline.head(shard).keys() : pipeline.head(shard).seq();
    }
    return sum;
  }

  private MetricsHttpServer.Health healthJson() {
    boolean serving = server != null && !server.isShutdown();
    return new MetricsHttpServer.Health(serving, String.format(
        "{\"status\":\"%s\",\"role\":\"leader\",\"leaderId\":\"%s\",\"epoch\":%d}",
        serving ? "SERVING" : "NOT_SERVING", metadata.leaderId(), metadata.epoch()));
  }

  /** The gRPC port actually bound (useful with port 0). */
  public int grpcPort() {
    return server.getPort();
  }

  public int pubPort() {
    return publisher.port();
  }

  public int controlPort() {
    return control.port();
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  public LeaderMetadata metadata() {
    return metadata;
  }

  /** Stops accepting calls, finishes queued writes, closes the data dir. Safe to call twice. */
  @Override
  public synchronized void stop() {
    health.enterTerminalState();
    if (server != null) {
      Shutdown.grpc(server);
    }
    if (lists != null) { // before the store closes: a List page still running reads it
      Shutdown.executor(lists);
      lists = null;
    }
    if (metricsServer != null) {
      metricsServer.close();
      metricsServer = null;
    }
    if (control != null) {
      control.close();
      control = null;
    }
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    if (zap != null) {
      zap.close();
      zap = null;
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

  static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  static long monotonicMs() {
    return System.nanoTime() / 1_000_000;
  }
}
