package io.kvdb.compare.report;

import static io.kvdb.cli.json.JsonText.quote;

import io.kvdb.cli.json.JsonText;
import java.util.List;
import java.util.Locale;

/** The comparison as one JSON object: settings, per system and column every round and the median, the verdicts. */
public final class JsonReport {
  private JsonReport() {}

  /** The JSON text (field names in docs/PERFORMANCE.md, "kv compare"). */
  public static String of(Results results, List<Row> rows, List<Verdict> verdicts, String started, int rounds,
      double seconds, double warmupSeconds, double warmupRoundSeconds) {
    StringBuilder out = new StringBuilder("{\n");
    out.append("  \"started\": ").append(quote(started)).append(",\n");
    out.append(String.format(Locale.ROOT, "  \"rounds\": %d,%n  \"seconds\": %.3f,%n  \"warmup_s\": %.3f,%n"
        + "  \"warmup_round_s\": %.3f,%n", rounds, seconds, warmupSeconds, warmupRoundSeconds));
    out.append("  \"systems\": [");
    String comma = "\n";
    for (Row row : rows) {
      out.append(comma).append("    {\"system\": ").append(quote(row.key())).append(", \"label\": ")
          .append(quote(row.label())).append(", \"unavailable\": ")
          .append(results.whyUnavailable(row).map(JsonText::quote).orElse("null")).append(", \"cells\": {");
      String cellComma = "";
      for (Column column : Column.values()) {
        if (!row.columns().contains(column) || results.whyUnavailable(row).isPresent()) {
          continue;
        }
        out.append(cellComma).append(quote(column.key())).append(": {\"median\": ")
            .append(results.median(row, column).map(JsonReport::measurement).orElse("null")).append(", \"rounds\": [");
        String roundComma = "";
        for (Measurement m : results.rounds(row, column)) {
          out.append(roundComma).append(measurement(m));
          roundComma = ", ";
        }
        out.append("]}");
        cellComma = ", ";
      }
      out.append("}}");
      comma = ",\n";
    }
    out.append("\n  ],\n  \"targets\": [");
    comma = "\n";
    for (Verdict v : verdicts) {
      out.append(comma).append("    {\"target\": ").append(quote(v.target())).append(", \"outcome\": ")
          .append(quote(v.outcome().text())).append(", \"line\": ").append(quote(v.line())).append('}');
      comma = ",\n";
    }
    return out.append("\n  ]\n}\n").toString();
  }

  private static String measurement(Measurement m) {
    return String.format(Locale.ROOT, "{\"ops_per_s\": %.1f, \"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f,"
        + " \"p99_9\": %.3f, \"max\": %.3f}, \"errors\": %d, \"stopped\": %s}", m.opsPerSecond(), m.p50(), m.p99(),
        m.p999(), m.max(), m.errors(), m.stopped().map(JsonText::quote).orElse("null"));
  }

}
