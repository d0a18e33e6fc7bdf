package io.kvdb.compare;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.cli.bench.BenchConfig;
import io.kvdb.cli.bench.GrpcTarget;
import io.kvdb.cli.bench.LoadRunner;
import io.kvdb.cli.bench.OpStats;
import io.kvdb.cli.bench.Values;
import io.kvdb.cli.bench.Workload;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.client.KvOptions;
import io.kvdb.common.net.HostPort;
import io.kvdb.compare.report.ScaleRun;
import io.kvdb.compare.systems.KvdbCluster;
import io.kvdb.compare.systems.Launch;
import io.kvdb.compare.systems.Processes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Target 6 (issue 9), behind {@code --scale}: a leader of its own started with {@code -Xmx256m} and
 * no follower; gRPC put and get rates (32 clients, 100-byte random values) with {@link #SMALL} keys
 * stored (after one unmeasured pass of the same runs, for the fresh JVM's JIT), then with
 * {@code largeKeys}; then one fresh follower, which holds every shard, timed from
 * its first hello (the first Cluster.Status that lists it, polled every 20 ms; its JVM's start is not
 * counted) until the leader lists it alive with all its shards live (none incoming, no event left to
 * apply).
 *
 * <p>The puts of both sizes add new keys after the stored ones, so that the two rates differ by the
 * store's size alone: puts that overwrite a stored key also read it back from the tables (the
 * shard digest needs the old value), which a 10,000-key store keeps in memory and a 1,000,000-key
 * one does not. Their rate with {@code largeKeys} stored is measured too and logged, not judged.
 */
final class ScaleTarget {
  static final int SMALL = 10_000;
  static final int LARGE = 1_000_000;
  private static final HostPort UNUSED = HostPort.parse("target", "127.0.0.1:1");
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

  private final PrintStream log;
  private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

  ScaleTarget(PrintStream log) {
    this.log = log;
  }

  ScaleRun measure(Processes processes, Launch launch, CompareConfig config, int largeKeys) {
    Launch small = launch.withMaxHeap("256m");
    KvdbCluster.Leader leader = KvdbCluster.startLeader(processes, small, "kvdb-scale", 1);
    try (KvClient client = KvClient.connect(leader.address(), KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(30)))) {
      GrpcTarget target = new GrpcTarget(client, leader.address());
      Optional<String> notStored = store(target, config, SMALL);
      if (notStored.isPresent()) {
        return ScaleRun.failed(SMALL, largeKeys, notStored.get());
      }
      // The first runs on a fresh JVM measure its JIT more than its store: one unmeasured pass first.
      rates(target, config, SMALL);
      double[] smallRates = rates(target, config, SMALL);
      log.printf("compare: target 6, %,d keys: put %,.0f/s, get %,.0f/s; storing %,d keys%n", SMALL, smallRates[0],
          smallRates[1], largeKeys);
      notStored = store(target, config, largeKeys);
      if (notStored.isPresent()) {
        return ScaleRun.failed(SMALL, largeKeys, notStored.get());
      }
      double[] largeRates = rates(target, config, largeKeys);
      double overwrites = putRate(target, config, largeKeys, 0);
      long stored = client.status().getKeys();
      log.printf("compare: target 6, %,d keys: put of new keys %,.0f/s, get %,.0f/s, put overwriting stored keys"
          + " %,.0f/s (not a target); starting a fresh follower of %,d keys%n", largeKeys, largeRates[0],
          largeRates[1], overwrites, stored);
      KvdbCluster.startFollower(processes, small, "kvdb-scale", leader, 1);
      long[] firstSeen = {0};
      Optional<String> late = awaitAllShardsLive(client, firstSeen);
      double seconds = (System.nanoTime() - firstSeen[0]) / 1e9;
      return new ScaleRun(SMALL, largeKeys, smallRates[0], smallRates[1], largeRates[0], largeRates[1], stored,
          late.isPresent() ? 0 : seconds, late);
    } catch (RuntimeException e) {
      return ScaleRun.failed(SMALL, largeKeys, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  /** Stores keys 0 to {@code keys - 1} as fast as it goes; the failure, if any. */
  private Optional<String> store(GrpcTarget target, CompareConfig config, int keys) {
    OpStats stored = new OpStats("put");
    LoadRunner.Result preload = runner(target, config, Workload.READ, keys, 0).preload(stored);
    if (preload.stopped().isPresent() || stored.errorCount() > 0) {
      return Optional.of("storing " + keys + " keys: " + preload.stopped().orElse(stored.errors().toString()));
    }
    return Optional.empty();
  }

  /** Put and get rates with {@code keys} stored: gets over them, then puts of new keys after them. */
  private double[] rates(GrpcTarget target, CompareConfig config, int keys) {
    OpStats get = new OpStats("get");
    LoadRunner.Result reads = runner(target, config, Workload.READ, keys, 0).run(get, new OpStats("put"));
    return new double[] {putRate(target, config, keys, keys), rate(get, reads)};
  }

  /** The rate of workload load's puts, of keys {@code firstKey}, {@code firstKey + 1}, ... */
  private double putRate(GrpcTarget target, CompareConfig config, int keys, long firstKey) {
    OpStats put = new OpStats("put");
    LoadRunner.Result writes = runner(target, config, Workload.LOAD, keys, firstKey).run(new OpStats("get"), put);
    return rate(put, writes);
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
