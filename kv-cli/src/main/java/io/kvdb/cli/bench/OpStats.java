package io.kvdb.cli.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The figures of one operation type (get or put): the latency of each successful call in an
 * HdrHistogram, in nanoseconds, and failed calls counted by code. Client threads record without
 * locks ({@link Recorder}); one thread, the runner's, {@link #drain drains} the recorder about once a
 * second into the run's total.
 */
public final class OpStats {
  /** Three significant digits: a percentile is within 0.1% of the true latency. */
  private static final int DIGITS = 3;

  private final String name;
  private final Recorder recorder = new Recorder(DIGITS);
  /** What the measured run recorded so far; touched by the draining thread only. */
  private final Histogram measured = new Histogram(DIGITS);
  private Histogram interval;
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  /** Every call since the start, warm-up included: the runner's test for "everything fails". */
  private final LongAdder successes = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /** @param name the operation, as the report names it ({@code get}, {@code put}) */
  public OpStats(String name) {
    this.name = name;
  }

  /** The operation's name. */
  public String name() {
    return name;
  }

  /** A client thread: a call that succeeded in {@code nanos}. */
  void success(long nanos) {
    recorder.recordValue(Math.max(1, nanos));
    successes.increment();
  }

  /** A client thread: a call that failed with {@code code}. */
  void failure(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    failures.increment();
  }

  /**
   * The runner: takes what was recorded since the last drain, adds it to the measured total when
   * {@code keep}, and returns it (valid until the next drain).
   */
  Histogram drain(boolean keep) {
    interval = recorder.getIntervalHistogram(interval);
    if (keep) {
      measured.add(interval);
    }
    return interval;
  }

  /** The runner, at the end of the warm-up: the errors counted so far are not the run's. */
  void forgetErrors() {
    errors.clear();
  }

  /** The measured latencies; read after the run. */
  public Histogram measured() {
    return measured;
  }

  /** The measured run's failures by code, in code order. */
  public Map<String, Long> errors() {
    Map<String, Long> counts = new TreeMap<>();
    errors.forEach((code, count) -> counts.put(code, count.sum()));
    return counts;
  }

  /** How many calls of the measured run failed. */
  public long errorCount() {
    return errors().values().stream().mapToLong(Long::longValue).sum();
  }

  long successesSinceStart() {
    return successes.sum();
  }

  long failuresSinceStart() {
    return failures.sum();
  }
}
