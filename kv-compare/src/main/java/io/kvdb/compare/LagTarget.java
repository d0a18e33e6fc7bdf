package io.kvdb.compare;

import io.kvdb.api.v1.LagSummary;
import io.kvdb.cli.bench.BenchConfig;
import io.kvdb.cli.bench.LoadRunner;
import io.kvdb.cli.bench.OpStats;
import io.kvdb.cli.bench.Target;
import io.kvdb.cli.bench.Values;
import io.kvdb.cli.bench.Workload;
import io.kvdb.common.net.HostPort;
import io.kvdb.compare.report.LagRun;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Target 5 (issue 9): kvdb's {@code POST /set} at half of target 1's rate, then the leader's
 * replication lag p99 for that run from Cluster.Status's {@code replication_lag}.
 *
 * <p>That summary covers the leader's last minute, so it would also hold the acks of the full-rate
 * runs before. A fresh window: first wait (bounded) until the leader's window holds no ack, which is
 * about one window after the last write; then the run (warm-up and measured part, each acked write a
 * sample); then read the summary at once. A run longer than the window is judged on its last
 * window's acks.
 */
final class LagTarget {
  private static final HostPort UNUSED = HostPort.parse("target", "127.0.0.1:1");
  /** Waiting for the window to empty: at most its length plus this. */
  private static final Duration SLACK = Duration.ofSeconds(20);

  private final PrintStream log;

  LagTarget(PrintStream log) {
    this.log = log;
  }

  /**
   * @param gateway kvdb's HTTP target (its gateway also answers GET /cluster)
   * @param rate the writes/s to pace to
   */
  LagRun measure(Target gateway, double rate, CompareConfig config, long seed) {
    Optional<LagSummary> before = gateway.replicationLagSummary();
    if (before.isEmpty() || before.get().getWindowSeconds() == 0) {
      return LagRun.failed(rate, "the leader reports no replication_lag in Cluster.Status");
    }
    int window = before.get().getWindowSeconds();
    log.printf("compare: target 5: waiting (at most %d s) for the leader's %d-s lag window to empty%n",
        window + SLACK.toSeconds(), window);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(window) + SLACK.toNanos();
    while (before.isPresent() && before.get().getCount() > 0) {
      if (System.nanoTime() > deadline) {
        return LagRun.failed(rate, "the leader's lag window still held " + before.get().getCount()
            + " acks after " + (window + SLACK.toSeconds()) + " s without writes");
      }
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      before = gateway.replicationLagSummary();
    }
    BenchConfig bench = new BenchConfig(Workload.LOAD, false, Comparison.KEYS, Comparison.HTTP_VALUE_BYTES,
        Comparison.HTTP_CLIENTS, config.duration(), OptionalLong.empty(), config.warmup(), OptionalDouble.of(rate),
        BenchConfig.Protocol.HTTP, UNUSED, seed);
    LoadRunner runner = new LoadRunner(bench, gateway, new Values(Comparison.HTTP_VALUE_BYTES, true),
        new PrintStream(OutputStream.nullOutputStream()));
    OpStats put = new OpStats("put");
    LoadRunner.Result result = runner.run(new OpStats("get"), put);
    Optional<LagSummary> after = gateway.replicationLagSummary();
    if (result.stopped().isPresent()) {
      return LagRun.failed(rate, "the run stopped: " + result.stopped().get());
    }
    if (after.isEmpty()) {
      return LagRun.failed(rate, "GET /cluster failed after the run");
    }
    LagSummary lag = after.get();
    double achieved = result.seconds() > 0 ? put.measured().getTotalCount() / result.seconds() : 0;
    return new LagRun(rate, achieved, lag.getCount(), lag.getP99Ms(), lag.getMaxMs(), lag.getWindowSeconds(),
        Optional.empty());
  }
}
