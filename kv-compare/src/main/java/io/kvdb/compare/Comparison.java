package io.kvdb.compare;

import io.kvdb.cli.bench.BenchConfig;
import io.kvdb.cli.bench.LoadRunner;
import io.kvdb.cli.bench.OpStats;
import io.kvdb.cli.bench.Target;
import io.kvdb.cli.bench.Values;
import io.kvdb.cli.bench.Workload;
import io.kvdb.common.net.HostPort;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.compare.report.Column;
import io.kvdb.compare.report.JsonReport;
import io.kvdb.compare.report.LagRun;
import io.kvdb.compare.report.Measurement;
import io.kvdb.compare.report.Results;
import io.kvdb.compare.report.Row;
import io.kvdb.compare.report.ScaleRun;
import io.kvdb.compare.report.Table;
import io.kvdb.compare.report.Verdict;
import io.kvdb.compare.report.Verdicts;
import io.kvdb.compare.systems.Launch;
import io.kvdb.compare.systems.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One {@code kv compare}: starts the systems ({@link Contenders}), then in each round measures every
 * cell of every system in turn with kv bench's {@link LoadRunner} (the same settings for all), and
 * prints the table of medians and the verdicts. Everything it started is stopped at the end, also
 * when it fails or is interrupted ({@link Processes}).
 */
final class Comparison {
  /** The read workloads draw from this many stored keys. */
  static final int KEYS = 1_000;
  /** HTTP: connections and value size of the wrk runs. */
  static final int HTTP_CLIENTS = 16;
  static final int HTTP_VALUE_BYTES = 16;
  /** gRPC (and Redis's protocol): concurrent calls and value size of the kv bench runs. */
  static final int GRPC_CLIENTS = 32;
  static final int GRPC_VALUE_BYTES = 100;
  /** BenchConfig wants a target; the Target object is what the load goes to. */
  private static final HostPort UNUSED = HostPort.parse("target", "127.0.0.1:1");

  private final CompareConfig config;
  private final PrintStream out;
  private final PrintStream err;
  private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

  Comparison(CompareConfig config, PrintStream out, PrintStream err) {
    this.config = config;
    this.out = out;
    this.err = err;
  }

  /** Runs it; returns the exit code (REFUSED when kvdb itself could not be measured). */
  int run() {
    Results results = new Results();
    for (Row row : Row.values()) {
      if (!config.rows().contains(row)) {
        results.unavailable(row, "left out (--only)");
      }
    }
    Instant started = Instant.now();
    Launch launch = new Launch(config.home(), config.jvmOptions());
    try (Processes processes = new Processes(config.portBase());
        Contenders contenders = Contenders.start(config.rows(), processes, launch, results, err)) {
      Set<String> stored = new HashSet<>();
      if (!config.warmupRound().isZero()) {
        // Unmeasured: every JVM compiles its request paths under this load, and finishes compiling
        // while the load is on the next systems; measured at once instead, each Armeria server's
        // first POST /set run gave a third of its later rounds (docs/PERFORMANCE.md, "kv compare").
        eachCell(contenders, stored, Duration.ZERO, config.warmupRound(), 0, (row, column, m) ->
            err.printf(Locale.ROOT, "compare: warm-up round, %s, %s: %,.0f/s (not counted)%n", row.key(),
                column.label(), m.opsPerSecond()));
      }
      for (int round = 1; round <= config.rounds(); round++) {
        int current = round;
        eachCell(contenders, stored, config.warmup(), config.duration(), round, (row, column, m) -> {
          results.add(row, column, m);
          err.printf(Locale.ROOT, "compare: round %d/%d, %s, %s: %,.0f/s, p99 %.2f ms%s%n", current,
              config.rounds(), row.key(), column.label(), m.opsPerSecond(), m.p99(),
              m.stopped().map(why -> " (stopped: " + why + ")").orElse(""));
        });
      }
      if (config.lagRun()) {
        lagRun(contenders, results);
      }
      if (config.scaleKeys().isPresent()) {
        err.println("compare: target 6: starting a leader with -Xmx256m of its own");
        ScaleRun scale = new ScaleTarget(err).measure(processes, launch, config, config.scaleKeys().get());
        results.scaleRun(scale);
        scale.failed().ifPresent(why -> err.println("compare: target 6: " + why));
      }
    }
    List<Verdict> verdicts = Verdicts.judge(results, config.duration().toMillis() / 1e3);
    out.printf(Locale.ROOT, "kv compare, %s: median of %d round(s), %.1f s measured after %.1f s warm-up per run,"
        + " after an unmeasured round of %.1f s per run;"
        + " HTTP %d connections, %d-byte values; gRPC/RESP %d concurrent calls, %d-byte values; random values;"
        + " writes on distinct keys, reads over %,d stored keys%n%n", started, config.rounds(),
        config.duration().toMillis() / 1e3, config.warmup().toMillis() / 1e3, config.warmupRound().toMillis() / 1e3,
        HTTP_CLIENTS, HTTP_VALUE_BYTES, GRPC_CLIENTS, GRPC_VALUE_BYTES, KEYS);
    out.println(Table.rates(results, config.rows()));
    out.println(Table.latencies(results, config.rows()));
    out.print(Table.verdicts(verdicts));
    if (config.json().isPresent()) {
      try {
        Files.writeString(config.json().get(), JsonReport.of(results, config.rows(), verdicts, started.toString(),
            config.rounds(), config.duration().toMillis() / 1e3, config.warmup().toMillis() / 1e3,
            config.warmupRound().toMillis() / 1e3));
      } catch (IOException e) {
        err.println("kv compare: cannot write --json " + config.json().get() + ": " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
    }
    return config.rows().contains(Row.KVDB) && results.whyUnavailable(Row.KVDB).isPresent()
        ? ExitCodes.REFUSED : ExitCodes.OK;
  }

  private interface CellRun {
    void done(Row row, Column column, Measurement measurement);
  }

  /**
   * One run of every cell of the systems asked for, in table order, each after {@code warmup}; the
   * read columns' keys are stored first, once per system ({@code stored} remembers which).
   */
  private void eachCell(Contenders contenders, Set<String> stored, Duration warmup, Duration duration, int round,
      CellRun done) {
    for (Row row : config.rows()) {
      for (Column column : Column.values()) {
        Optional<Target> target = contenders.target(row, column);
        if (row.columns().contains(column) && target.isPresent()) {
          boolean preload = !column.write() && stored.add(row.key() + "/" + column.key());
          done.done(row, column, measure(target.get(), column, preload, warmup, duration, round));
        }
      }
    }
  }

  /** Target 5: kvdb's POST /set at half of target 1's median rate, and the leader's lag p99 for it. */
  private void lagRun(Contenders contenders, Results results) {
    Optional<Measurement> set = results.median(Row.KVDB, Column.HTTP_SET);
    Optional<Target> gateway = contenders.target(Row.KVDB, Column.HTTP_SET);
    if (set.isEmpty() || gateway.isEmpty() || set.get().opsPerSecond() <= 0) {
      return; // the verdict says why target 1 has no figure
    }
    LagRun run = new LagTarget(err).measure(gateway.get(), set.get().opsPerSecond() / 2, config, config.rounds() + 1);
    results.lagRun(run);
    err.printf(Locale.ROOT, "compare: target 5, POST /set at %,.0f/s: made %,.0f/s, replication lag p99 %.1f ms over"
        + " %,d acks%s%n", run.rate(), run.achieved(), run.p99Ms(), run.acks(),
        run.failed().map(why -> " (" + why + ")").orElse(""));
  }

  /** One run of a cell, after storing the read workload's keys if {@code preload}, then {@code warmup}. */
  private Measurement measure(Target target, Column column, boolean preload, Duration warmup, Duration duration,
      int round) {
    boolean http = column.http();
    int valueBytes = http ? HTTP_VALUE_BYTES : GRPC_VALUE_BYTES;
    BenchConfig bench = new BenchConfig(column.write() ? Workload.LOAD : Workload.READ, false, KEYS, valueBytes,
        http ? HTTP_CLIENTS : GRPC_CLIENTS, duration, OptionalLong.empty(), warmup,
        OptionalDouble.empty(), http ? BenchConfig.Protocol.HTTP : BenchConfig.Protocol.GRPC, UNUSED, round);
    LoadRunner runner = new LoadRunner(bench, target, new Values(valueBytes, http), quiet);
    if (preload) {
      OpStats stored = new OpStats("put");
      LoadRunner.Result result = runner.preload(stored);
      if (result.stopped().isPresent() || stored.errorCount() > 0) {
        return new Measurement(0, 0, 0, 0, 0, stored.errorCount(), Optional.of("storing " + KEYS + " keys first: "
            + result.stopped().orElse(stored.errors().toString())));
      }
    }
    OpStats get = new OpStats("get");
    OpStats put = new OpStats("put");
    LoadRunner.Result result = runner.run(get, put);
    OpStats op = column.write() ? put : get;
    return Measurement.of(op.measured(), result.seconds(), op.errorCount(), result.stopped());
  }
}
