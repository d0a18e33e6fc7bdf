package io.kvdb.leader;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.HealthStatusManager;
import io.kvdb.core.dump.LeaderBackup;
import io.kvdb.core.leader.ClusterService;
import io.kvdb.core.leader.KvService;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.process.OpenServices;
import io.kvdb.core.process.Shutdown;
import io.kvdb.core.request.RequestParsing;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.watch.WatchHub;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The leader's gRPC server: KV and Cluster behind the token check and the call counter, health and
 * reflection open, and the thread pools that read List pages and backup chunks off the transport's
 * threads. Stopped before the store closes, since those pools read it.
 */
final class LeaderGrpc {
  /** Threads that read List pages, off the transport's threads (see KvService). */
  private static final int LIST_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private Server server;
  private ExecutorService lists;
  /** Reads the chunks of Cluster.Backup streams, off the transport's threads. */
  private ExecutorService dumps;

  /** Builds the services on {@code builder} and starts serving. */
  void start(ServerBuilder<?> builder, LeaderConfig config, KvStore store, LeaderMetadata metadata,
      WritePipeline pipeline, LeaderReplicas replicas, WatchHub watches, HealthStatusManager health,
      MeterRegistry registry) throws IOException {
    ShardFunction shardFunction = new ShardFunction(metadata.shards());
    lists = Executors.newFixedThreadPool(LIST_THREADS, LeaderServer.daemon("kv-list"));
    KvService kv = new KvService(store, shardFunction, pipeline, replicas, config.limits(), config.batchLimits(),
        config.ackTimeoutMs(), lists, watches);
    dumps = Executors.newFixedThreadPool(2, LeaderServer.daemon("kv-dump"));
    ClusterService cluster = new ClusterService(pipeline, replicas, config.durable(),
        new LeaderBackup(store, metadata, dumps));
    GrpcMetricsInterceptor counting = new GrpcMetricsInterceptor(registry);
    server = OpenServices.addTo(builder, health)
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
  }

  /** The port actually bound (useful with port 0). */
  int port() {
    return server.getPort();
  }

  /** Whether the server was started and is not shut down (for /health). */
  boolean serving() {
    return server != null && !server.isShutdown();
  }

  void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, then the pools that read the store. Safe to call twice. */
  void stop() {
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
  }
}
