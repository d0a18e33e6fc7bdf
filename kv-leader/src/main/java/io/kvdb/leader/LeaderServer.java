package io.kvdb.leader;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.process.OpenServices;
import io.kvdb.core.process.ProcessMain;
import io.kvdb.core.process.Shutdown;
import io.kvdb.common.metrics.ProcessMetrics;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.metrics.MetricsHttpServer;
import io.kvdb.core.metrics.WriteMeters;
import io.kvdb.core.dump.LeaderBackup;
import io.kvdb.core.dump.RebuildMark;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.Membership;
import io.kvdb.core.leader.RecentCommits;
import io.kvdb.core.leader.ReplicationLag;
import io.kvdb.core.leader.SnapshotSource;
import io.kvdb.core.security.CurveServer;
import io.kvdb.common.net.Loopback;
import io.kvdb.core.security.ZapHandler;
import io.kvdb.core.leader.ClusterService;
import io.kvdb.core.leader.KvService;
import io.kvdb.core.request.RequestParsing;
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
import io.kvdb.leader.replication.ControlServer;
import io.kvdb.leader.replication.Publisher;
import io.kvdb.replication.v1.Hello;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;
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
  private final Supervisor supervisor;
  private final ProcessMetrics metrics = new ProcessMetrics();
  private final LeaderHealth health;
  private KvStore store;
  /** Volatile: the supervisor's hook reads it from the thread that died. */
  private volatile WritePipeline pipeline;
  private Server server;
  private MetricsHttpServer metricsServer;
  private LeaderMetadata metadata;
  private ZContext zmq;
  private ZapHandler zap;
  private Publisher publisher;
  private WatchHub watches;
  private Thread watchDispatcher;
  private ControlServer control;
  private BacklogPins pins;
  private ScheduledExecutorService timer;
  private ExecutorService lists;
  /** Reads the chunks of Cluster.Backup streams, off the transport's threads. */
  private ExecutorService dumps;

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
      ShardFunction shardFunction = new ShardFunction(metadata.shards());
      zmq = new ZContext();
      // The ZAP handler must be up before a CURVE socket binds: without it ZeroMQ lets every key in.
      zap = config.curve().map(curve -> curve.startAuthentication(zmq, supervisor)).orElse(null);
      Consumer<ZMQ.Socket> secure = config.curve().<Consumer<ZMQ.Socket>>map(curve -> curve::secure)
          .orElse(socket -> {});
      RecentCommits commits = new RecentCommits(metadata.shards());
      publisher = new Publisher(zmq, config.host(), config.pubPort(), metadata.leaderId(), metadata.epoch(),
          config.heartbeatMs(), metadata.shards(), store::shardState, secure, commits, supervisor);
      pins = new BacklogPins();
      WatchOptions watch = config.watch();
      // A watch of a run with no change yet starts below the run's first revision (the pipeline's).
      long runFloor = Revisions.start(store, metadata.epoch()).peek() - 1;
      watches = new WatchHub(WatchStart.read(store, metadata.shards(), watch.historyEvents(), runFloor),
          watch.historyEvents(), watch.queueEvents(), WatchOptions.INBOUND_BATCHES, watch.progressMs(),
          LeaderServer::monotonicMs);
      watchDispatcher = watches.start("kv-watch");
      Publisher replication = publisher;
      WatchHub watchSink = watches;
      EventSink sinks = batch -> {
        replication.publish(batch);
        watchSink.publish(batch);
      };
      pipeline = new WritePipeline(store, metadata, config.backlogPerShard(), pins, sinks, store::write, disk,
          LeaderServer::monotonicMs, new WriteMeters(metrics.registry()), supervisor);
      refuseMissingShards();
      timer = ackTimer();
      Membership membership = new Membership(store, disk, metadata.shards(), config.replicationFactor(),
          config.deadTimeoutMs(), timer, monotonicMs());
      LeaderReplicas replicas = new LeaderReplicas(membership, pipeline, LeaderServer::monotonicMs,
          new ReplicationLag(pipeline, commits, metrics.registry(), LeaderServer::monotonicMs));
      control = new ControlServer(zmq, config.host(), config.controlPort(), metadata.leaderId(), metadata.epoch(),
          metadata.shards(), config.heartbeatMs(), config.limits(), membership, replicas,
          new CatchUpSource(store, pipeline::head),
          new SnapshotSource(store, pipeline::head, pins, SNAPSHOT_IDLE_MS, config.maxSnapshotSessions()),
          LeaderServer::monotonicMs, config.curve(), supervisor,
          RebuildMark.read(store).<Function<Hello, String>>map(mark -> mark::refusal).orElse(hello -> null));
      lists = Executors.newFixedThreadPool(LIST_THREADS, daemon("kv-list"));
      KvService kv = new KvService(store, shardFunction, pipeline, replicas, config.limits(), config.batchLimits(),
          config.ackTimeoutMs(), lists, watches);
      dumps = Executors.newFixedThreadPool(2, daemon("kv-dump"));
      ClusterService cluster = new ClusterService(pipeline, replicas, config.durable(),
          new LeaderBackup(store, metadata, dumps));
      GrpcMetricsInterceptor counting = new GrpcMetricsInterceptor(metrics.registry());
      server = OpenServices.addTo(serverBuilder, health.grpc())
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
      LeaderMeters.bind(metrics, metadata, pipeline, replicas, zap);
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
    String replication = config.curve().map(CurveServer::describe).orElse("plaintext, any follower may connect");
    log.info("ZeroMQ PUB (replication events) listening on {}:{} ({})", config.host(), publisher.port(), replication);
    log.info("ZeroMQ ROUTER (follower control) listening on {}:{} ({})", config.host(), control.port(), replication);
    log.info("HTTP /metrics and /health listening on {}:{} (plaintext, no data)", config.host(), metricsServer.port());
    warnIfOpenToTheNetwork();
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
    return health.http(server != null && !server.isShutdown(), metadata);
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

  /** What snapshot transfers pin of the backlog now (tests look at it). */
  BacklogPins backlogPins() {
    return pins;
  }

  /** Stops accepting calls, finishes queued writes, closes the data dir. Safe to call twice. */
  @Override
  public synchronized void stop() {
    supervisor.stopping(); // the threads stopped from here on are not deaths
    health.stopping();
    if (server != null) {
      Shutdown.grpc(server);
    }
    if (lists != null) { // before the store closes: a List page still running reads it
      Shutdown.executor(lists);
      lists = null;
    }
    if (dumps != null) { // likewise: a backup stream reads the store
      Shutdown.executor(dumps);
      dumps = null;
    }
    if (metricsServer != null) {
      metricsServer.close();
      metricsServer = null;
    }
    metrics.close();
    if (control != null) {
      control.close();
      control = null;
    }
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
    if (watchDispatcher != null) {
      watchDispatcher.interrupt();
      watchDispatcher = null;
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

  /** Ends waits for acks; a wait cancelled by its client leaves the queue at once, not at its deadline. */
  private static ScheduledExecutorService ackTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("kv-ack-timer"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
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
