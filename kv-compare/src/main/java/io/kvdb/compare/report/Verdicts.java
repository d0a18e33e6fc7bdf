package io.kvdb.compare.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The targets, judged from the medians of the comparison (issue 9, "Targets"). Pure: it
 * reads {@link Results} and says, for each target, what was measured against what is needed.
 */
public final class Verdicts {
  /** Target 1: kvdb's POST /set at least this share of the HTTP ceiling's. */
  static final double SET_OF_CEILING = 0.25;
  /** Target 1, second half: with R=2, at least this share of the R=1 rate. */
  static final double R2_OF_R1 = 0.70;
  /** Target 2: GET /get at least this share of the ceiling's. */
  static final double GET_OF_CEILING = 0.50;
  /** Target 3: gRPC put and get at least these shares of the empty call's rate. */
  static final double PUT_OF_EMPTY = 0.50;
  static final double GET_OF_EMPTY = 0.80;
  /** Target 4: latency bounds at 16 HTTP connections, ms. */
  static final double SET_P99_MS = 3;
  static final double GET_P99_MS = 1.5;
  static final double P999_MS = 10;
  /** Target 5: the leader's replication lag p99 at half of target 1's write rate, ms. */
  static final double LAG_P99_MS = 5;
  /** Target 6: rates with the large store at least this share of those with the small one. */
  static final double LARGE_OF_SMALL = 0.80;
  /** Target 6: a fresh follower's catch-up, keys/s. */
  static final double CATCH_UP_KEYS_PER_S = 300_000;

  private Verdicts() {}

  /**
   * One verdict per target (and per part of a target), in the order.
   *
   * @param results the comparison's figures
   * @param measuredSeconds the length of each measured run, for target 4's note (the issue asks 60 s)
   */
  public static List<Verdict> judge(Results results, double measuredSeconds) {
    List<Verdict> verdicts = new ArrayList<>();
    verdicts.add(share("1", results, Row.KVDB, Column.HTTP_SET, Row.CEILING, "POST /set", "the HTTP ceiling",
        SET_OF_CEILING));
    verdicts.add(share("1 (R=2)", results, Row.KVDB_R2, Column.HTTP_SET, Row.KVDB, "POST /set with R=2", "R=1",
        R2_OF_R1));
    verdicts.add(share("2", results, Row.KVDB, Column.HTTP_GET, Row.CEILING, "GET /get", "the HTTP ceiling",
        GET_OF_CEILING));
    verdicts.add(share("3 (put)", results, Row.KVDB, Column.GRPC_PUT, Row.EMPTY_GRPC, "gRPC put", "the empty call",
        PUT_OF_EMPTY));
    verdicts.add(share("3 (get)", results, Row.KVDB, Column.GRPC_GET, Row.EMPTY_GRPC, "gRPC get", "the empty call",
        GET_OF_EMPTY));
    // The same Java client with the option the gateway uses: one stream, a message each way per call.
    verdicts.add(share("3 (put, Session)", results, Row.KVDB_SESSION, Column.GRPC_PUT, Row.EMPTY_GRPC,
        "gRPC put on the Session stream", "the empty call", PUT_OF_EMPTY));
    verdicts.add(share("3 (get, Session)", results, Row.KVDB_SESSION, Column.GRPC_GET, Row.EMPTY_GRPC,
        "gRPC get on the Session stream", "the empty call", GET_OF_EMPTY));
    String runs = String.format(Locale.ROOT, " (%.0f-s runs; the issue asks 60 s)", measuredSeconds);
    verdicts.add(latency("4 (/set p99)", results, Column.HTTP_SET, false, SET_P99_MS, runs));
    verdicts.add(latency("4 (/get p99)", results, Column.HTTP_GET, false, GET_P99_MS, runs));
    verdicts.add(latency("4 (/set p99.9)", results, Column.HTTP_SET, true, P999_MS, runs));
    verdicts.add(latency("4 (/get p99.9)", results, Column.HTTP_GET, true, P999_MS, runs));
    verdicts.add(lag(results));
    verdicts.addAll(scale(results));
    return verdicts;
  }

  private static Verdict share(String target, Results results, Row row, Column column, Row base, String what,
      String baseName, double needed) {
    Optional<Measurement> ours = results.median(row, column);
    Optional<Measurement> theirs = results.median(base, column);
    if (ours.isEmpty()) {
      return Verdict.notMeasured(target, what + ": " + results.whyNoFigure(row, column));
    }
    if (theirs.isEmpty() || theirs.get().opsPerSecond() <= 0) {
      return Verdict.notMeasured(target, baseName + ": " + results.whyNoFigure(base, column));
    }
    double share = ours.get().opsPerSecond() / theirs.get().opsPerSecond();
    return Verdict.of(target, share >= needed, String.format(Locale.ROOT, "%s %,.0f/s = %.1f%% of %s's %,.0f/s", what,
        ours.get().opsPerSecond(), share * 100, baseName, theirs.get().opsPerSecond()),
        String.format(Locale.ROOT, "%.0f%%", needed * 100));
  }

  private static Verdict latency(String target, Results results, Column column, boolean p999, double boundMs,
      String runs) {
    Optional<Measurement> ours = results.median(Row.KVDB, column);
    if (ours.isEmpty()) {
      return Verdict.notMeasured(target, column.label() + ": " + results.whyNoFigure(Row.KVDB, column));
    }
    double ms = p999 ? ours.get().p999() : ours.get().p99();
    return Verdict.of(target, ms <= boundMs, String.format(Locale.ROOT, "%s %s %.2f ms%s", column.label(),
        p999 ? "p99.9" : "p99", ms, runs), String.format(Locale.ROOT, "<= %s ms", trim(boundMs)));
  }

  private static Verdict lag(Results results) {
    if (results.lagRun().isEmpty()) {
      Optional<Measurement> set = results.median(Row.KVDB, Column.HTTP_SET);
      return Verdict.notMeasured("5", set.isEmpty() ? "no rate of target 1 to halve: "
          + results.whyNoFigure(Row.KVDB, Column.HTTP_SET) : "the half-rate run was left out (--quick, --no-lag-run)");
    }
    LagRun run = results.lagRun().get();
    String load = String.format(Locale.ROOT, "POST /set at %,.0f/s (half of target 1's)", run.rate());
    if (run.failed().isPresent()) {
      return Verdict.notMeasured("5", load + ": " + run.failed().get());
    }
    if (run.acks() == 0) {
      return Verdict.notMeasured("5", load + ": the leader's window holds no ack");
    }
    return Verdict.of("5", run.p99Ms() <= LAG_P99_MS, String.format(Locale.ROOT, "%s, made %,.0f/s: replication lag"
        + " p99 %.1f ms, max %.1f ms (%,d acks, the leader's last %d s)", load, run.achieved(), run.p99Ms(),
        run.maxMs(), run.acks(), run.windowSeconds()), "<= " + trim(LAG_P99_MS) + " ms");
  }

  private static List<Verdict> scale(Results results) {
    List<String> parts = List.of("6 (put)", "6 (get)", "6 (catch-up)");
    if (results.scaleRun().isEmpty()) {
      return parts.stream().map(t -> Verdict.notMeasured(t, "kv compare --scale runs it")).toList();
    }
    ScaleRun run = results.scaleRun().get();
    if (run.failed().isPresent() && run.putLarge() <= 0) {
      return parts.stream().map(t -> Verdict.notMeasured(t, run.failed().get())).toList();
    }
    List<Verdict> verdicts = new ArrayList<>();
    verdicts.add(largeOfSmall("6 (put)", "put of new keys", run.putLarge(), run.putSmall(), run));
    verdicts.add(largeOfSmall("6 (get)", "get", run.getLarge(), run.getSmall(), run));
    if (run.failed().isPresent()) {
      verdicts.add(Verdict.notMeasured("6 (catch-up)", "a fresh follower: " + run.failed().get()));
    } else {
      verdicts.add(Verdict.of("6 (catch-up)", run.catchUpKeysPerSecond() >= CATCH_UP_KEYS_PER_S,
          String.format(Locale.ROOT, "a fresh follower took %,d keys in %.2f s from its first hello = %,.0f keys/s",
              run.catchUpKeys(), run.catchUpSeconds(), run.catchUpKeysPerSecond()),
          String.format(Locale.ROOT, "%,.0f keys/s", CATCH_UP_KEYS_PER_S)));
    }
    return verdicts;
  }

  private static Verdict largeOfSmall(String target, String op, double large, double small, ScaleRun run) {
    if (small <= 0) {
      return Verdict.notMeasured(target, op + " with " + run.smallKeys() + " keys stored gave no rate");
    }
    double share = large / small;
    return Verdict.of(target, share >= LARGE_OF_SMALL, String.format(Locale.ROOT, "gRPC %s with %,d keys stored"
        + " %,.0f/s = %.1f%% of %,.0f/s with %,d (%s)", op, run.largeKeys(), large, share * 100, small,
        run.smallKeys(), run.rounds() == 1 ? "one round" : "medians of " + run.rounds() + " rounds"),
        String.format(Locale.ROOT, "%.0f%%", LARGE_OF_SMALL * 100));
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
