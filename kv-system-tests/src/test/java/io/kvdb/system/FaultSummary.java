package io.kvdb.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The fault suite's result table: one row per scenario, printed when the suite ends. */
final class FaultSummary {
  /**
   * One scenario's figures.
   *
   * @param acknowledged writes and deletes the leader acknowledged during the scenario
   * @param unknown writes that failed or timed out (either outcome allowed)
   * @param keys distinct keys the load touched
   * @param lost acknowledged writes not found at their last acknowledged value (must be 0)
   * @param resurrected acknowledged deletes whose key came back (must be 0)
   * @param converged from the end of the fault (process back, link up) until every follower equals the
   *     leader; null where there are no followers
   */
  record Row(String scenario, long acknowledged, long unknown, int keys, long lost, long resurrected,
      Duration converged) {}

  private final List<Row> rows = new ArrayList<>();

  synchronized void add(Row row) {
    rows.add(row);
  }

  synchronized String table() {
    String format = "%-46s %12s %8s %8s %5s %12s %10s%n";
    StringBuilder out = new StringBuilder(String.format(format, "scenario", "acknowledged", "unknown", "keys", "lost",
        "resurrected", "converged"));
    for (Row row : rows.stream().sorted(java.util.Comparator.comparing(Row::scenario)).toList()) {
      out.append(String.format(format, row.scenario(), row.acknowledged(), row.unknown(), row.keys(), row.lost(),
          row.resurrected(), row.converged() == null ? "-" : String.format("%.1f s", row.converged().toMillis() / 1000.0)));
    }
    return out.toString();
  }
}
