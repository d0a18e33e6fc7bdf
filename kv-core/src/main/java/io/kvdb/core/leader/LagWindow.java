package io.kvdb.core.leader;

import io.kvdb.api.v1.LagSummary;
import org.HdrHistogram.Histogram;

/**
 * Replication lag samples of the last minute, for Cluster.Status: {@link #STEPS} histograms of
 * {@link #STEP_MS} each, the oldest reused when time moves on, so a summary covers between 50 and
 * 60 seconds. Times come from the caller (the leader's monotonic clock), so tests can move them.
 * Recorded on the control thread, summarised on gRPC threads: the lock is held for one record or
 * one merge of six small histograms.
 */
final class LagWindow {
  static final int STEPS = 6;
  static final long STEP_MS = 10_000;
  /** Lags above an hour are recorded as an hour. */
  private static final long HIGHEST_MS = 3_600_000;

  private final Histogram[] steps = new Histogram[STEPS];
  /** The step number (time / STEP_MS) each histogram holds; -1 for none. */
  private final long[] stepOf = new long[STEPS];

  LagWindow() {
    for (int i = 0; i < STEPS; i++) {
      steps[i] = new Histogram(HIGHEST_MS, 2);
      stepOf[i] = -1;
    }
  }

  synchronized void record(long lagMs, long nowMs) {
    long step = Math.floorDiv(nowMs, STEP_MS);
    int i = (int) Math.floorMod(step, (long) STEPS);
    if (stepOf[i] != step) {
      steps[i].reset();
      stepOf[i] = step;
    }
    steps[i].recordValue(Math.min(Math.max(0, lagMs), HIGHEST_MS));
  }

  /** The samples of the steps that are less than a minute old at {@code nowMs}. */
  LagSummary summary(long nowMs) {
    Histogram window = new Histogram(HIGHEST_MS, 2);
    long step = Math.floorDiv(nowMs, STEP_MS);
    synchronized (this) {
      for (int i = 0; i < STEPS; i++) {
        if (stepOf[i] > step - STEPS && stepOf[i] <= step) {
          window.add(steps[i]);
        }
      }
    }
    LagSummary.Builder summary = LagSummary.newBuilder().setWindowSeconds((int) (STEPS * STEP_MS / 1000));
    if (window.getTotalCount() == 0) {
      return summary.build();
    }
    return summary.setCount(window.getTotalCount())
        .setP50Ms(window.getValueAtPercentile(50))
        .setP99Ms(window.getValueAtPercentile(99))
        .setP999Ms(window.getValueAtPercentile(99.9))
        .setMaxMs(window.getMaxValue())
        .build();
  }
}
