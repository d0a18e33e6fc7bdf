package io.kvdb.core.leader;

import io.kvdb.api.v1.LagSummary;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The replication lag as the leader sees acks arrive: for each ack that advances a follower's
 * applied seq of a live shard, one sample of (the ack's arrival − the commit time of the newest
 * write it acknowledges in that shard), on the leader's monotonic clock, in whole milliseconds.
 * Samples go to the histogram {@code kv_replication_lag_ms} (tagged by follower, with buckets so
 * that Prometheus can compute quantiles) and to a {@link LagWindow} of the last minute, for
 * Cluster.Status. docs/METRICS.md says why one sample per shard an ack advances, not per write.
 *
 * <p>Commit times come from {@link RecentCommits} (in memory, filled as events are published);
 * one it no longer holds is read from the backlog ({@link CommitTimes}). Called on the control
 * thread only, under Membership's lock: a sample is two array reads and two histogram records.
 */
public final class ReplicationLag implements AppliedProgress {
  /** The metric's name, {@code kv_replication_lag_ms} on /metrics. */
  static final String METRIC = "kv.replication.lag.ms";

  private final RecentCommits recent;
  private final CommitTimes backlog;
  private final MeterRegistry registry;
  private final LongSupplier clockMs;
  private final LagWindow window = new LagWindow();
  /** The control thread's own: followers are few, and one meter each stays for the process's life. */
  private final Map<String, DistributionSummary> byFollower = new HashMap<>();

  /**
   * Times the acks of {@code pipeline}'s writes, whose commit times {@code recent} holds; meters
   * go to {@code registry}; {@code clockMs} (the leader's monotonic clock) dates summaries.
   */
  public ReplicationLag(WritePipeline pipeline, RecentCommits recent, MeterRegistry registry, LongSupplier clockMs) {
    this(recent, pipeline.commitTimes(), registry, clockMs);
  }

  ReplicationLag(RecentCommits recent, CommitTimes backlog, MeterRegistry registry, LongSupplier clockMs) {
    this.recent = recent;
    this.backlog = backlog;
    this.registry = registry;
    this.clockMs = clockMs;
  }

  @Override
  public void advanced(String followerId, int shard, long appliedSeq, long ackArrivedMs) {
    long committedMs = recent.committedAtMs(shard, appliedSeq);
    if (committedMs < 0) {
      committedMs = backlog.committedAtMs(shard, appliedSeq);
    }
    long lagMs = Math.max(0, ackArrivedMs - committedMs);
    byFollower.computeIfAbsent(followerId, this::meter).record(lagMs);
    window.record(lagMs, ackArrivedMs);
  }

  /** Every follower's samples of the last minute (see cluster.proto's LagSummary). */
  public LagSummary summary() {
    return window.summary(clockMs.getAsLong());
  }

  private DistributionSummary meter(String followerId) {
    return DistributionSummary.builder(METRIC)
        .description("Replication lag: an ack's arrival minus the commit time of the newest write it acknowledges"
            + " in a shard, per shard an ack advances (leader's monotonic clock, ms)")
        .tag("follower", followerId)
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(60_000.0)
        .register(registry);
  }
}
