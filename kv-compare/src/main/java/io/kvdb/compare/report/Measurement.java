package io.kvdb.compare.report;

import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * One measured run of one cell: the rate of successful calls and their latency percentiles, ms.
 *
 * @param errors calls that failed (not timed)
 * @param stopped why the run stopped early (every call failed), if it did
 */
public record Measurement(double opsPerSecond, double p50, double p99, double p999, double max, long errors,
    Optional<String> stopped) {
  /** The figures of a run of {@code seconds} whose successful calls' latencies (ns) are {@code latency}. */
  public static Measurement of(Histogram latency, double seconds, long errors, Optional<String> stopped) {
    boolean any = latency.getTotalCount() > 0;
    return new Measurement(seconds > 0 ? latency.getTotalCount() / seconds : 0,
        any ? latency.getValueAtPercentile(50) / 1e6 : 0, any ? latency.getValueAtPercentile(99) / 1e6 : 0,
        any ? latency.getValueAtPercentile(99.9) / 1e6 : 0, any ? latency.getMaxValue() / 1e6 : 0, errors, stopped);
  }
}
