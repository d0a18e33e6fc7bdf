package io.kvdb.compare;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.cli.bench.BenchConfig;
import io.kvdb.cli.bench.GrpcTarget;
import io.kvdb.cli.bench.LoadRunner;
import io.kvdb.cli.bench.OpStats;
import io.kvdb.cli.bench.Values;
import io.kvdb.cli.bench.Workload;
import io.kvdb.client.KvBatch;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.client.KvOptions;
import io.kvdb.common.net.HostPort;
import io.kvdb.compare.report.Results;
import io.kvdb.compare.report.ScaleRun;
import io.kvdb.compare.systems.KvdbCluster;
import io.kvdb.compare.systems.Launch;
import io.kvdb.compare.systems.Processes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Target 6 (issue 9), behind {@code --scale}: two leaders of their own, each started with
 * {@code -Xmx256m} and no follower, one holding {@link #SMALL} keys and one {@code largeKeys}; gRPC
 * put and get rates (32 clients, 100-byte random values) on each, after one unmeasured pass for the
 * fresh JVMs' JIT, in {@code --rounds} rounds that alternate which store goes first, so that a
 * change in the host's speed falls on both sides (the figures are the medians); then one fresh
 * follower of the large store, timed from its first hello (the first Cluster.Status that lists it,
 * polled every 20 ms; its JVM's start is not counted) until the leader lists it alive with all its
 * shards live (none incoming, no event left to apply), with the small store's leader stopped.
 *
 * <p>The puts add new keys after the stored ones, so that the two rates differ by the store's size
 * alone: puts that overwrite a stored key also read it back from the tables (the shard digest
 * needs the old value), which a 10,000-key store keeps in memory and a 1,000,000-key one does not.
 * The new keys are deleted after each run, so that every round starts with the stores' sizes. The
 * rate of overwrites with {@code largeKeys} stored is measured too and logged, not judged.
 */
final class ScaleTarget {
  static final int SMALL = 10_000;
  /** The leader's default --max-batch-ops. */
  private static final int DELETES_PER_BATCH = 128;
  private static final HostPort UNUSED = HostPort.parse("target", "127.0.0.1:1");
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

  private final PrintStream log;
  private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

  ScaleTarget(PrintStream log) {
    this.log = log;
  }

  /** One store size, and a client and bench target on its leader. */
  private record Store(int keys, KvClient client, GrpcTarget target) {
    static Store on(int keys, KvClient client, KvdbCluster.Leader leader) {
      return new Store(keys, client, new GrpcTarget(client, leader.address()));
    }
  }

  /** One run's rates on one store: puts of new keys, and gets, per second. */
  private record Rates(double put, double get) {}

  ScaleRun measure(Processes processes, Launch launch, CompareConfig config, int largeKeys) {
    Launch small = launch.withMaxHeap("256m");
    KvOptions options = KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30));
    KvdbCluster.Leader smallLeader = KvdbCluster.startLeader(processes, small, "kvdb-scale-small", 1);
    KvdbCluster.Leader largeLeader = KvdbCluster.startLeader(processes, small, "kvdb-scale", 1);
    try (KvClient smallClient = KvClient.connect(smallLeader.address(), options);
        KvClient largeClient = KvClient.connect(largeLeader.address(), options)) {
      Store smallStore = stored(Store.on(SMALL, smallClient, smallLeader), config);
      log.printf("compare: target 6: %,d keys stored; storing %,d keys%n", SMALL, largeKeys);
      Store largeStore = stored(Store.on(largeKeys, largeClient, largeLeader), config);
      // The first runs on a fresh JVM measure its JIT more than its store: one unmeasured pass first.
      rates(smallStore, config);
      rates(largeStore, config);
      List<Rates> smallRates = new ArrayList<>();
      List<Rates> largeRates = new ArrayList<>();
      for (int round = 1; round <= config.rounds(); round++) {
        if (round % 2 == 1) {
          smallRates.add(rates(smallStore, config));
          largeRates.add(rates(largeStore, config));
        } else {
          largeRates.add(rates(largeStore, config));
          smallRates.add(rates(smallStore, config));
        }
        log.printf("compare: target 6, round %d/%d: %,d keys: put of new keys %,.0f/s, get %,.0f/s; %,d keys: put of"
            + " new keys %,.0f/s, get %,.0f/s%n", round, config.rounds(), SMALL, smallRates.get(round - 1).put(),
            smallRates.get(round - 1).get(), largeKeys, largeRates.get(round - 1).put(), largeRates.get(round - 1).get());
      }
      double overwrites = putRate(largeStore, config, 0);
      processes.stop(smallLeader.process()); // the catch-up has the machine to itself, as a real one would
      long stored = largeClient.status().getKeys();
      log.printf("compare: target 6, %,d keys: put overwriting stored keys %,.0f/s (not a target); starting a fresh"
          + " follower of %,d keys%n", largeKeys, overwrites, stored);
      KvdbCluster.startFollower(processes, small, "kvdb-scale", largeLeader, 1);
      long[] firstSeen = {0};
      Optional<String> late = awaitAllShardsLive(largeClient, firstSeen);
      double seconds = (System.nanoTime() - firstSeen[0]) / 1e9;
      return new ScaleRun(SMALL, largeKeys, config.rounds(), Results.median(smallRates, Rates::put),
          Results.median(smallRates, Rates::get), Results.median(largeRates, Rates::put),
          Results.median(largeRates, Rates::get), stored, late.isPresent() ? 0 : seconds, late);
    } catch (RuntimeException e) {
      return ScaleRun.failed(SMALL, largeKeys, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  /** {@code store} once keys 0 to {@code keys - 1} are stored, as fast as it goes. */
  private Store stored(Store store, CompareConfig config) {
    OpStats stored = new OpStats("put");
    LoadRunner.Result preload = runner(store.target(), config, Workload.READ, store.keys(), 0).preload(stored);
    if (preload.stopped().isPresent() || stored.errorCount() > 0) {
      throw new IllegalStateException("storing " + store.keys() + " keys: "
          + preload.stopped().orElse(stored.errors().toString()));
    }
    return store;
  }

  /**
   * Put and get rates on {@code store}: gets over its keys, then puts of new keys after them, which
   * are then deleted.
   */
  private Rates rates(Store store, CompareConfig config) {
    OpStats get = new OpStats("get");
    LoadRunner.Result reads = runner(store.target(), config, Workload.READ, store.keys(), 0)
        .run(get, new OpStats("put"));
    double puts = putRate(store, config, store.keys());
    deleteNewKeys(store);
    return new Rates(puts, rate(get, reads));
  }

  /** The rate of workload load's puts on {@code store}, of keys {@code firstKey}, {@code firstKey + 1}, ... */
  private double putRate(Store store, CompareConfig config, long firstKey) {
    OpStats put = new OpStats("put");
    LoadRunner.Result writes = runner(store.target(), config, Workload.LOAD, store.keys(), firstKey)
        .run(new OpStats("get"), put);
    return rate(put, writes);
  }

  /** Deletes the keys that the load's puts added after {@code store}'s, in atomic batches. */
  private static void deleteNewKeys(Store store) {
    long added = store.client().status().getKeys() - store.keys();
    for (long n = store.keys(); n < store.keys() + added; ) {
      KvBatch batch = KvBatch.builder();
      for (int i = 0; i < DELETES_PER_BATCH && n < store.keys() + added; i++, n++) {
        batch.delete(LoadRunner.key(n));
      }
      store.client().batch(batch.build());
    }
    long left = store.client().status().getKeys();
    if (left != store.keys()) {
      throw new IllegalStateException("the store of " + store.keys() + " keys holds " + left
          + " after deleting the new ones");
    }
  }

  private static double rate(OpStats op, LoadRunner.Result result) {
    return result.stopped().isPresent() || result.seconds() <= 0 ? 0 : op.measured().getTotalCount() / result.seconds();
  }

  private LoadRunner runner(GrpcTarget target, CompareConfig config, Workload workload, int keys, long firstKey) {
    BenchConfig bench = new BenchConfig(workload, false, keys, Comparison.GRPC_VALUE_BYTES, Comparison.GRPC_CLIENTS,
        config.duration(), OptionalLong.empty(), config.warmup(), OptionalDouble.empty(), BenchConfig.Protocol.GRPC,
        UNUSED, 6).withFirstKey(firstKey);
    return new LoadRunner(bench, target, new Values(Comparison.GRPC_VALUE_BYTES, false), quiet);
  }

  /**
   * Empty once the leader lists a live follower holding shards, none incoming, nothing to apply;
   * {@code firstSeen[0]} gets the {@link System#nanoTime} at which it was first listed.
   */
  private static Optional<String> awaitAllShardsLive(KvClient client, long[] firstSeen) {
    long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
    String last = "no follower listed";
    while (System.nanoTime() < deadline) {
      try {
        for (FollowerInfo f : client.status().getFollowersList()) {
          if (firstSeen[0] == 0) {
            firstSeen[0] = System.nanoTime();
          }
          last = "follower " + f.getId() + ": alive " + f.getAlive() + ", " + f.getShardsCount() + " shards, "
              + f.getIncomingShardsCount() + " incoming, " + f.getLagEvents() + " events to apply";
          if (f.getAlive() && f.getShardsCount() > 0 && f.getIncomingShardsCount() == 0 && f.getLagEvents() == 0) {
            return Optional.empty();
          }
        }
      } catch (KvException e) {
        last = "status: " + e.getMessage();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return Optional.of("not caught up after " + CATCH_UP_TIMEOUT.toMinutes() + " min (" + last + ")");
  }
}
