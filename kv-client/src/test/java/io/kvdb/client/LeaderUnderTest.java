package io.kvdb.client;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.core.config.Limits;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.ClusterService;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.KvService;
import io.kvdb.core.leader.Replicas;
import io.kvdb.core.leader.PipelineMetrics;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.request.RequestParsing;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The leader's core as the leader process wires it (KvService and ClusterService of kv-core, the
 * write pipeline, a real LevelDB in a temp dir, the token check when tokens are given), served
 * in-process with 8 shards and R=1, its one follower never acking (a write that waits for an
 * ack waits its whole ack timeout). Two faults can be switched on: a full disk (the real
 * disk-space check with a reserve no disk has) and UNAVAILABLE for the next calls of a method,
 * answered before the call reaches the services, as a leader that is stopping answers. Every call
 * that arrives is counted per method.
 */
final class LeaderUnderTest implements AutoCloseable {
  static final int SHARDS = 8;

  private final KvStore store;
  private final WritePipeline pipeline;
  private final SilentFollower follower = new SilentFollower();
  private final ExecutorService lists = Executors.newFixedThreadPool(2);
  private final String name = InProcessServerBuilder.generateName();
  private final KvService kv;
  private final ClusterService cluster;
  private final GrpcSecurity security;
  private volatile Server server;
  private final ManagedChannel channel;
  private volatile boolean diskFull;
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();

  LeaderUnderTest(Path dataDir, GrpcSecurity security) {
    store = KvStore.open(dataDir, true);
    // The real disk gate, over a disk whose free space the test sets: none while diskFull.
    DiskSpace disk = new DiskSpace(dataDir, "leader", 1 << 20, () -> diskFull ? 0 : Long.MAX_VALUE / 8);
    ShardFunction shards = new ShardFunction(SHARDS);
    pipeline = new WritePipeline(store, new LeaderMetadata("leader-under-test", 1, SHARDS), 1000, new BacklogPins(),
        EventSink.NONE, store::write, disk, () -> System.nanoTime() / 1_000_000, PipelineMetrics.NONE,
        new Supervisor("leader under test", status -> {}));
    Replicas alone = follower;
    kv = new KvService(store, shards, pipeline, alone, Limits.DEFAULT, 1000, lists);
    cluster = new ClusterService(pipeline, alone, true);
    this.security = security;
    server = serve();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  private Server serve() {
    ServerInterceptor faults = new Faults();
    try {
      return InProcessServerBuilder.forName(name)
          .addService(ServerInterceptors.intercept(security.protect(() -> RequestParsing.checked(kv.bindService())),
              faults))
          .addService(ServerInterceptors.intercept(
              security.protect(() -> RequestParsing.checked(cluster.bindService())), faults))
          .build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server goes away, as a leader that stopped: its calls and streams end, new calls find no server. */
  void stopServing() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Serves again after {@link #stopServing}, with the same store and name, as a restarted leader. */
  void serveAgain() {
    server = serve();
  }

  /** An in-process channel to this leader; it stays open until {@link #close}. */
  ManagedChannel channel() {
    return channel;
  }

  /** From now on, writes are refused as on a disk below --min-free-disk (or accepted again). */
  void diskFull(boolean full) {
    diskFull = full;
  }

  /** The next {@code count} calls of {@code method} ("kv.v1.KV/Get") fail with UNAVAILABLE. */
  void failNext(String method, int count) {
    failNext.computeIfAbsent(method, m -> new AtomicInteger()).set(count);
  }

  /** How many calls of {@code method} arrived, refused ones included. */
  int calls(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  /**
   * From now on, a wait for acks never ends by itself, not even at its timeout (as a leader stuck
   * on a broken follower): only the call's cancellation or deadline ends it.
   */
  void acksHang(boolean hang) {
    follower.hang = hang;
  }

  /** Waits for acks begun and not yet ended (answered, timed out or cancelled). */
  int openAckWaits() {
    return follower.open.size();
  }

  /**
   * R=1 with one follower that holds every shard and never acks: a write that waits for an ack
   * waits its whole ack timeout and is answered with 0 acks, as a leader whose follower is slow.
   * The wait is freed early when the call is cancelled.
   */
  private static final class SilentFollower implements Replicas {
    final Set<CompletableFuture<Integer>> open = ConcurrentHashMap.newKeySet();
    volatile boolean hang;

    @Override
    public List<String> holdersOf(int shard) {
      return List.of("silent-follower");
    }

    @Override
    public int replicationFactor() {
      return 1;
    }

    @Override
    public CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
      CompletableFuture<Integer> acks = new CompletableFuture<>();
      open.add(acks);
      acks.whenComplete((count, error) -> open.remove(acks));
      if (!hang) {
        CompletableFuture.delayedExecutor(timeoutMs, TimeUnit.MILLISECONDS).execute(() -> acks.complete(0));
      }
      return acks;
    }
  }

  private final class Faults implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      String method = call.getMethodDescriptor().getFullMethodName();
      calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
      AtomicInteger failures = failNext.get(method);
      if (failures != null && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        call.close(Status.UNAVAILABLE.withDescription("injected: the leader is stopping"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lists.shutdownNow();
    pipeline.close();
    store.close();
  }
}
