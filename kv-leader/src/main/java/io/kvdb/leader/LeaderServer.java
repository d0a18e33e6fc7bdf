package io.kvdb.leader;

import io.grpc.ServerBuilder;
import io.kvdb.core.process.ProcessMain;
import io.kvdb.common.metrics.ProcessMetrics;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.metrics.MetricsHttpServer;
import io.kvdb.core.metrics.WriteMeters;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.security.CurveServer;
import io.kvdb.common.net.Loopback;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.FormatMigration;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.Revisions;
import io.kvdb.core.watch.WatchStart;
import io.kvdb.core.watch.WatchHub;
import io.micrometer.core.instrument.Gauge;
import io.kvdb.core.watch.WatchOptions;
import io.kvdb.leader.replication.Publisher;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader process: opens the data dir, starts the write pipeline and serves KV, Cluster, health
 * and reflection over gRPC, plus /metrics and /health over HTTP. The gRPC transport comes from the
 * {@link ServerBuilder} handed in, so tests can use an in-process one. This class owns the storage,
 * the write pipeline and watches, and the start-up and stop order; {@link LeaderReplication} owns the
 * ZeroMQ side and {@link LeaderGrpc} the gRPC server and its services.
 */
public final class LeaderServer implements ProcessMain.Server {
  private static final Logger log = LoggerFactory.getLogger(LeaderServer.class);

  private final LeaderConfig config;
  private final ServerBuilder<?> serverBuilder;
  private final Supervisor supervisor;
  private final ProcessMetrics metrics = new ProcessMetrics();
  private final LeaderHealth health;
  private final LeaderReplication replication;
  private final LeaderGrpc grpc = new LeaderGrpc();
  private KvStore store;
  /** Volatile: the supervisor's hook reads it from the thread that died. */
  private volatile WritePipeline pipeline;
  private MetricsHttpServer metricsServer;
  private LeaderMetadata metadata;
  private WatchHub watches;
  private Thread watchDispatcher;

  /** A leader whose supervisor ends the JVM (status 70) when one of its threads dies. */
  public LeaderServer(LeaderConfig config, ServerBuilder<?> serverBuilder) {
    this(config, serverBuilder, Supervisor.exitingJvm("kv leader"));
  }

  /**
   * A leader whose threads run under {@code supervisor}; tests hand in one that records the exit
   * instead of ending the JVM.
   */
  public LeaderServer(LeaderConfig config, ServerBuilder<?> serverBuilder, Supervisor supervisor) {
    this.config = config;
    this.serverBuilder = serverBuilder;
    this.supervisor = supervisor;
    this.health = new LeaderHealth(supervisor);
    this.replication = new LeaderReplication(config, supervisor);
  }

  @Override
  public void start() throws IOException {
    supervisor.onDeath(this::stopServing);
    if (config.recovery().rebuild()) {
      // Before anything opens: the ports serve only once every shard is in place.
      LeaderRebuild.run(config.recovery(), config.dataDir());
    }
    // Before LevelDB opens (it writes at once): on a full disk its mmap writes kill the JVM.
    DiskSpace disk = new DiskSpace(config.dataDir(), "leader", config.minFreeDiskBytes());
    disk.checkAtStart();
    // A data dir of format 1 (values without versions) is migrated first (FormatMigration).
    store = FormatMigration.openMigrating(config.dataDir(), config.durable());
    try {
      metadata = LeaderMetadata.start(store, config.shards(), ShardFunction.DEFAULT_SHARDS);
      Publisher publisher = replication.startPublisher(store, metadata);
      startWatches();
      WatchHub watchSink = watches;
      EventSink sinks = batch -> {
        publisher.publish(batch);
        watchSink.publish(batch);
      };
      pipeline = new WritePipeline(store, metadata, config.backlogPerShard(), replication.pins(), sinks, store::write,
          disk, LeaderServer::monotonicMs, new WriteMeters(metrics.registry()), supervisor);
      refuseMissingShards();
      LeaderReplicas replicas = replication.startControl(store, metadata, disk, pipeline, metrics.registry());
      grpc.start(serverBuilder, config, store, metadata, pipeline, replicas, watches, health.grpc(),
          metrics.registry());
      LeaderMeters.bind(metrics, metadata, pipeline, replicas, replication.zap());
      Gauge.builder("kvdb.watches.open", watches, WatchHub::watchers).description("Open KV.Watch streams")
          .register(metrics.registry());
      metricsServer = new MetricsHttpServer(config.host(), config.metricsPort(), metrics::scrape, this::healthJson);
    } catch (IOException | RuntimeException e) {
      stop();
      throw e;
    }
    health.serving();
    log.info("leader {} epoch {} with {} shards, data in {} (durability: {})", metadata.leaderId(), metadata.epoch(),
        metadata.shards(), config.dataDir(), config.durable() ? "sync, fsync before every reply" : "async, no fsync");
    log.info("gRPC (KV, Cluster, health, reflection) listening on {}:{} ({})", config.host(), grpcPort(),
        config.grpcSecurity().describe());
    String security = config.curve().map(CurveServer::describe).orElse("plaintext, any follower may connect");
    log.info("ZeroMQ PUB (replication events) listening on {}:{} ({})", config.host(), pubPort(), security);
    log.info("ZeroMQ ROUTER (follower control) listening on {}:{} ({})", config.host(), controlPort(), security);
    log.info("HTTP /metrics and /health listening on {}:{} (plaintext, no data)", config.host(), metricsServer.port());
    warnIfOpenToTheNetwork();
  }

  /** Starts the hub that feeds KV.Watch streams, with the recent history kept in the store. */
  private void startWatches() {
    WatchOptions watch = config.watch();
    // A watch of a run with no change yet starts below the run's first revision (the pipeline's).
    long runFloor = Revisions.start(store, metadata.epoch()).peek() - 1;
    watches = new WatchHub(WatchStart.read(store, metadata.shards(), watch.historyEvents(), runFloor),
        watch.historyEvents(), watch.queueEvents(), WatchOptions.INBOUND_BATCHES, watch.progressMs(),
        LeaderServer::monotonicMs);
    watchDispatcher = watches.start("kv-watch");
  }

  /** Shards a rebuild found no copy of stay refused for writes until the operator accepts them empty. */
  private void refuseMissingShards() {
    List<Integer> missing = LeaderMetadata.missingShards(store);
    if (missing.isEmpty()) {
      return;
    }
    if (config.recovery().allowMissingShards()) {
      LeaderMetadata.acceptMissingShards(store);
      log.warn("shards {} had no copy when this leader was rebuilt: accepted empty (--allow-missing-shards)", missing);
      return;
    }
    pipeline.refuseShards(Set.copyOf(missing));
    log.warn("shards {} had no copy when this leader was rebuilt: writes to them are refused until the leader is"
        + " restarted with --allow-missing-shards, which accepts them empty", missing);
  }

  /** An unsecured port on a non-loopback address lets others on the network in. */
  private void warnIfOpenToTheNetwork() {
    config.grpcSecurity().exposure(config.host()).ifPresent(log::warn);
    if (config.curve().isEmpty() && !Loopback.isLoopback(config.host())) {
      log.warn("replication on {} is not secured: anyone who reaches the PUB port can read every write, and anyone"
          + " may register as a follower (see --curve-secret-key-file)", config.host());
    }
  }


  private MetricsHttpServer.Health healthJson() {
    return health.http(grpc.serving(), metadata);
  }

  /**
   * A thread of this process died (the supervisor logged which and why, and exits next): health
   * turns NOT_SERVING and every queued or later write fails with UNAVAILABLE, since nothing would
   * commit or publish it.
   */
  private void stopServing() {
    String why = supervisor.death().map(Supervisor.Death::describe).orElse("a thread died");
    health.notServing();
    WritePipeline writes = pipeline;
    if (writes != null) {
      writes.refuseAll("the leader is stopping: " + why);
    }
  }

  /** The gRPC port actually bound (useful with port 0). */
  public int grpcPort() {
    return grpc.port();
  }

  public int pubPort() {
    return replication.pubPort();
  }

  public int controlPort() {
    return replication.controlPort();
  }

  public int metricsPort() {
    return metricsServer.port();
  }

  public LeaderMetadata metadata() {
    return metadata;
  }

  /** What snapshot transfers pin of the backlog now (tests look at it). */
  BacklogPins backlogPins() {
    return replication.pins();
  }

  /** Stops accepting calls, finishes queued writes, closes the data dir. Safe to call twice. */
  @Override
  public synchronized void stop() {
    supervisor.stopping(); // the threads stopped from here on are not deaths
    health.stopping();
    grpc.stop();
    if (metricsServer != null) {
      metricsServer.close();
      metricsServer = null;
    }
    metrics.close();
    replication.closeControl();
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
    if (watchDispatcher != null) {
      watchDispatcher.interrupt();
      watchDispatcher = null;
    }
    replication.close();
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Override
  public void blockUntilShutdown() throws InterruptedException {
    grpc.awaitTermination();
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
