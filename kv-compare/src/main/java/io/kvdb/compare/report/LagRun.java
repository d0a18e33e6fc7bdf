package io.kvdb.compare.report;

import java.util.Optional;

/**
 * Target 5's run: kvdb's {@code POST /set} paced to half of target 1's median rate, and the leader's
 * replication lag histogram ({@code replication_lag} of Cluster.Status) read right after it, its
 * window holding that run's acks only.
 *
 * @param rate the rate asked, writes/s
 * @param achieved the writes/s the run made
 * @param acks the lag samples in the leader's window
 * @param p99Ms their p99, ms
 * @param maxMs their max, ms
 * @param windowSeconds the leader's window
 * @param failed why there is no figure, if there is none
 */
public record LagRun(double rate, double achieved, long acks, double p99Ms, double maxMs, int windowSeconds,
    Optional<String> failed) {
  /** A run that gave no figure, saying why. */
  public static LagRun failed(double rate, String why) {
    return new LagRun(rate, 0, 0, 0, 0, 0, Optional.of(why));
  }
}
