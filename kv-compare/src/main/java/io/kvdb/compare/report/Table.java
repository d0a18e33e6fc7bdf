package io.kvdb.compare.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison as text: the table (rate and p99 per cell), the latency detail (p50, p99,
 * p99.9, max) and the verdict lines. Markdown tables, so that a run pastes into the docs as it is.
 * Pure: it formats {@link Results} and nothing else.
 */
public final class Table {
  private Table() {}

  /** The table of rates: {@code 5,259 (p99 9.80)}, a system's reason in its first cell when it has no figures. */
  public static String rates(Results results, List<Row> rows) {
    StringBuilder out = new StringBuilder("| system |");
    for (Column column : Column.values()) {
      out.append(' ').append(column.label()).append(column.http() ? " req/s" : "/s").append(" (p99 ms) |");
    }
    out.append("\n|---|").append("---:|".repeat(Column.values().length)).append('\n');
    for (Row row : rows) {
      out.append("| ").append(row.label()).append(" |");
      Optional<String> why = results.whyUnavailable(row);
      boolean first = true;
      for (Column column : Column.values()) {
        String cell = "";
        if (row.columns().contains(column)) {
          if (why.isPresent()) {
            cell = first ? why.get() : "";
            first = false;
          } else {
            cell = results.median(row, column).map(m -> rate(m)).orElse(results.whyNoFigure(row, column));
          }
        }
        out.append(' ').append(cell).append(" |");
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** The latency detail of every measured cell: p50 / p99 / p99.9 / max, ms. */
  public static String latencies(Results results, List<Row> rows) {
    StringBuilder out = new StringBuilder("| latency ms: p50 / p99 / p99.9 / max |");
    for (Column column : Column.values()) {
      out.append(' ').append(column.label()).append(" |");
    }
    out.append("\n|---|").append("---:|".repeat(Column.values().length)).append('\n');
    for (Row row : rows) {
      if (results.whyUnavailable(row).isPresent()) {
        continue;
      }
      out.append("| ").append(row.label()).append(" |");
      for (Column column : Column.values()) {
        String cell = row.columns().contains(column)
            ? results.median(row, column).map(Table::latency).orElse("") : "";
        out.append(' ').append(cell).append(" |");
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** The verdicts, one line each. */
  public static String verdicts(List<Verdict> verdicts) {
    StringBuilder out = new StringBuilder();
    verdicts.forEach(v -> out.append(v.line()).append('\n'));
    return out.toString();
  }

  static String rate(Measurement m) {
    return String.format(Locale.ROOT, "%,.0f (%.2f)", m.opsPerSecond(), m.p99()) + errors(m);
  }

  static String latency(Measurement m) {
    return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.1f", m.p50(), m.p99(), m.p999(), m.max()) + errors(m);
  }

  private static String errors(Measurement m) {
    return m.errors() == 0 ? "" : String.format(Locale.ROOT, " [%,d error%s]", m.errors(), m.errors() == 1 ? "" : "s");
  }
}
