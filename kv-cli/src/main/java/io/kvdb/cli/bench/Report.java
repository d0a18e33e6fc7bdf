package io.kvdb.cli.bench;

import static io.kvdb.cli.json.JsonText.quote;

import io.kvdb.cli.json.JsonText;
import io.kvdb.api.v1.LagSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of a measured run, as a table for people and as JSON for scripts; both say the same.
 * Latencies are of successful calls, in milliseconds; a failed call is counted by its code and
 * not timed.
 */
final class Report {
  private final BenchConfig config;
  private final String target;
  private final List<OpStats> ops;
  private final double seconds;
  private final Optional<String> stopped;
  /** Samples of the followers' replication lag, ms; none without live followers. */
  private final Histogram lagMs;
  /** The leader's kv_replication_lag_ms over its last minute, read at the end; empty when not reported. */
  private final Optional<LagSummary> ackLag;

  Report(BenchConfig config, String target, List<OpStats> ops, double seconds, Optional<String> stopped,
      Histogram lagMs) {
    this(config, target, ops, seconds, stopped, lagMs, Optional.empty());
  }

  Report(BenchConfig config, String target, List<OpStats> ops, double seconds, Optional<String> stopped,
      Histogram lagMs, Optional<LagSummary> ackLag) {
    this.lagMs = lagMs;
    this.ackLag = ackLag.filter(lag -> lag.getWindowSeconds() > 0);
    this.config = config;
    this.target = target;
    this.ops = ops;
    this.seconds = seconds;
    this.stopped = stopped;
  }

  /** The header line, one row per operation type and the errors by code. */
  String table() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "kv bench: workload %s, %s, %d-byte values, %d clients, %s; %.1f s measured"
        + " after %.1f s warm-up%n", config.workload().flag(), keysDescription(), config.valueBytes(),
        config.clients(), target, seconds, config.warmup().toMillis() / 1e3));
    out.append(String.format(Locale.ROOT, "%-6s %10s %10s %9s %9s %9s %9s %9s%n", "op", "ops", "ops/s", "p50 ms",
        "p99 ms", "p99.9 ms", "max ms", "errors"));
    long total = 0;
    long errors = 0;
    for (OpStats op : ops) {
      Histogram h = op.measured();
      out.append(String.format(Locale.ROOT, "%-6s %10d %10.0f %9.3f %9.3f %9.3f %9.3f %9d%n", op.name(),
          h.getTotalCount(), rate(h.getTotalCount()), ms(h, 50), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6,
          op.errorCount()));
      total += h.getTotalCount();
      errors += op.errorCount();
    }
    if (ops.size() > 1) {
      out.append(String.format(Locale.ROOT, "%-6s %10d %10.0f %9s %9s %9s %9s %9d%n", "all", total, rate(total), "",
          "", "", "", errors));
    }
    Map<String, Long> byCode = errorsByCode();
    if (!byCode.isEmpty()) {
      out.append("errors by code:");
      byCode.forEach((code, count) -> out.append(' ').append(code).append(' ').append(count).append(','));
      out.setLength(out.length() - 1);
      out.append('\n');
    }
    if (lagMs.getTotalCount() > 0) {
      out.append(String.format(Locale.ROOT, "replication lag (live followers' lag_ms, %d samples): p50 %d ms,"
          + " max %d ms%n", lagMs.getTotalCount(), lagMs.getValueAtPercentile(50), lagMs.getMaxValue()));
    } else {
      out.append("replication lag: no live follower reported\n");
    }
    ackLag.ifPresent(lag -> out.append(String.format(Locale.ROOT, "replication lag at the leader (kv_replication_lag_ms,"
        + " its last %d s, %d acks): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms%n", lag.getWindowSeconds(),
        lag.getCount(), lag.getP50Ms(), lag.getP99Ms(), lag.getP999Ms(), lag.getMaxMs())));
    stopped.ifPresent(reason -> out.append("stopped early: ").append(reason).append('\n'));
    return out.toString();
  }

  /** The same figures as one JSON object (field names in the docs, docs/PERFORMANCE.md). */
  String json() {
    StringBuilder out = new StringBuilder("{\n");
    field(out, "workload", quote(config.workload().flag()));
    field(out, "dist", quote(config.zipfian() ? "zipfian" : "uniform"));
    field(out, "keys", config.keys());
    field(out, "first_key", config.firstKey());
    field(out, "value_bytes", config.valueBytes());
    field(out, "clients", config.clients());
    field(out, "protocol", quote(config.protocol().name().toLowerCase(Locale.ROOT)));
    field(out, "session", config.session());
    field(out, "target", quote(config.target().toString()));
    field(out, "warmup_s", number(config.warmup().toMillis() / 1e3));
    field(out, "seconds", number(seconds));
    long total = ops.stream().mapToLong(op -> op.measured().getTotalCount()).sum();
    field(out, "ops", total);
    field(out, "ops_per_s", number(rate(total)));
    field(out, "errors", ops.stream().mapToLong(OpStats::errorCount).sum());
    out.append("  \"operations\": {");
    String comma = "\n";
    for (OpStats op : ops) {
      Histogram h = op.measured();
      out.append(comma).append("    ").append(quote(op.name())).append(": {\"ops\": ").append(h.getTotalCount())
          .append(", \"ops_per_s\": ").append(number(rate(h.getTotalCount())))
          .append(", \"latency_ms\": {\"p50\": ").append(number(ms(h, 50))).append(", \"p99\": ")
          .append(number(ms(h, 99))).append(", \"p99_9\": ").append(number(ms(h, 99.9))).append(", \"max\": ")
          .append(number(h.getMaxValue() / 1e6)).append("}, \"errors\": ").append(counts(op.errors())).append('}');
      comma = ",\n";
    }
    out.append("\n  },\n");
    field(out, "errors_by_code", counts(errorsByCode()));
    field(out, "replication_lag_ms", lagMs.getTotalCount() == 0 ? "null"
        : "{\"samples\": " + lagMs.getTotalCount() + ", \"p50\": " + lagMs.getValueAtPercentile(50) + ", \"max\": "
            + lagMs.getMaxValue() + "}");
    field(out, "replication_lag_histogram_ms", ackLag.map(lag -> "{\"count\": " + lag.getCount() + ", \"p50\": "
        + number(lag.getP50Ms()) + ", \"p99\": " + number(lag.getP99Ms()) + ", \"p999\": " + number(lag.getP999Ms())
        + ", \"max\": " + number(lag.getMaxMs()) + ", \"window_s\": " + lag.getWindowSeconds() + "}").orElse("null"));
    out.append("  \"stopped\": ").append(stopped.map(JsonText::quote).orElse("null")).append("\n}\n");
    return out.toString();
  }

  private String keysDescription() {
    if (config.workload() == Workload.LOAD) {
      return config.firstKey() == 0 ? "distinct keys" : "distinct keys from key " + config.firstKey();
    }
    return (config.zipfian() ? "zipfian" : "uniform") + " over " + config.keys() + " keys";
  }

  private Map<String, Long> errorsByCode() {
    Map<String, Long> byCode = new TreeMap<>();
    ops.forEach(op -> op.errors().forEach((code, count) -> byCode.merge(code, count, Long::sum)));
    return byCode;
  }

  private double rate(long count) {
    return seconds > 0 ? count / seconds : 0;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
  }

  private static void field(StringBuilder out, String name, Object value) {
    out.append("  ").append(quote(name)).append(": ").append(value).append(",\n");
  }

  private static String counts(Map<String, Long> counts) {
    StringBuilder out = new StringBuilder("{");
    counts.forEach((code, count) -> out.append(out.length() > 1 ? ", " : "").append(quote(code)).append(": ")
        .append(count));
    return out.append('}').toString();
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
