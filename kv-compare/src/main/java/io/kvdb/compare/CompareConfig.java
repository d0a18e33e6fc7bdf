package io.kvdb.compare;

import io.kvdb.common.config.Flags;
import io.kvdb.compare.report.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What one {@code kv compare} runs, from its flags ({@link #flags()}).
 *
 * @param rounds how many times every cell is measured; rounds interleave the systems
 * @param duration each measured run
 * @param warmup the unmeasured load before each measured run
 * @param warmupRound the load each cell gets in an unmeasured round before the first (zero: no
 *     such round): a fresh JVM compiles its request paths under its first load, and on 2 cores
 *     loaded by the client its compiler threads finish only once the load moves elsewhere
 * @param rows the systems to measure, in table order
 * @param json where to write the figures as JSON, if anywhere
 * @param portBase 0: ports the OS hands out; else free ports counted up from it
 * @param jvmOptions the flags of every JVM it starts
 * @param home the repo's root, where the packaged jars are
 * @param lagRun whether target 5's half-rate run is made (it first waits for the leader's lag window,
 *     about a minute, to empty)
 * @param scaleKeys target 6's run with this many keys stored ({@code --scale}); empty: no such run
 */
public record CompareConfig(int rounds, Duration duration, Duration warmup, Duration warmupRound, List<Row> rows, Optional<Path> json,
    int portBase, List<String> jvmOptions, Path home, boolean lagRun,
    Optional<Integer> scaleKeys) {
  public CompareConfig {
    check(rounds >= 1, "--rounds must be >= 1, got " + rounds);
    check(!duration.isNegative() && !duration.isZero(), "--duration must be > 0");
    check(!warmup.isNegative(), "--warmup must be >= 0");
    check(!warmupRound.isNegative(), "--warmup-round must be >= 0");
    check(!rows.isEmpty(), "--only names no system");
    check(portBase == 0 || (portBase >= 1024 && portBase < 65000), "--port-base must be 0 or 1024..64999");
    check(scaleKeys.isEmpty() || scaleKeys.get() > ScaleTarget.SMALL, "--scale-keys must be > " + ScaleTarget.SMALL);
    rows = List.copyOf(rows);
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** The flags of {@code kv compare}, with their defaults and help. */
  static Flags flags() {
    return new Flags("kv compare")
        .declare("rounds", "3", "rounds; each measures every system once, in turn")
        .declare("duration", "10", "seconds measured per run")
        .declare("warmup", "3", "seconds of unmeasured load before each run")
        .declare("warmup-round", "10", "seconds of load per cell in an unmeasured round before the first"
            + " (JIT compilation); 0: none")
        .declareBoolean("quick", "a smoke: 1 round, 3 s runs, 1 s warm-up, no warm-up round, no --lag-run (flags given win)")
        .declareBoolean("scale", "also target 6: 10,000 vs --scale-keys keys stored, a fresh follower's catch-up")
        .declare("scale-keys", "1000000", "keys stored in --scale's second measurement")
        .declareBoolean("no-lag-run", "leave out target 5's half-rate run (it waits ~1 min for the leader's lag window)")
        .declare("only", "", "systems to measure, of " + Row.keys() + " (default: all)")
        .declare("json", "", "also write the figures and verdicts to this file as JSON")
        .declare("port-base", "0", "take free ports counting up from here; 0: any the OS gives")
        .declare("jvm-opts", "-Xmx512m -XX:+UseSerialGC", "flags of every JVM started (kvdb's, the reference servers'; the default is ./kv's for its servers)")
        .declare("kvdb-home", "", "the repo's root, holding the packaged jars (default: where this jar is)");
  }

  /**
   * Reads the flags; empty when {@code --help} was asked.
   *
   * @param defaultHome the repo's root when {@code --kvdb-home} is not given
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  static Optional<CompareConfig> parse(String[] args, Path defaultHome) {
    Flags flags = flags();
    if (!flags.parse(args)) {
      return Optional.empty();
    }
    boolean quick = flags.bool("quick");
    int rounds = flags.isGiven("rounds") || !quick ? flags.integer("rounds") : 1;
    Duration duration = flags.isGiven("duration") || !quick ? flags.seconds("duration") : Duration.ofSeconds(3);
    Duration warmup = flags.isGiven("warmup") || !quick ? flags.seconds("warmup") : Duration.ofSeconds(1);
    Duration warmupRound = flags.isGiven("warmup-round") || !quick ? flags.seconds("warmup-round") : Duration.ZERO;
    List<Row> rows = new ArrayList<>();
    if (flags.list("only").isEmpty()) {
      rows.addAll(Arrays.asList(Row.values()));
    } else {
      flags.list("only").stream().map(Row::of).distinct().sorted().forEach(rows::add);
    }
    Optional<Path> json = flags.string("json").isEmpty() ? Optional.empty() : Optional.of(Path.of(flags.string("json")));
    List<String> jvm = Arrays.stream(flags.string("jvm-opts").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    Path home = flags.string("kvdb-home").isEmpty() ? defaultHome : Path.of(flags.string("kvdb-home"));
    return Optional.of(new CompareConfig(rounds, duration, warmup, warmupRound, rows, json, flags.integer("port-base"), jvm,
        home.toAbsolutePath().normalize(), !quick && !flags.bool("no-lag-run"),
        flags.bool("scale") ? Optional.of(flags.integer("scale-keys")) : Optional.empty()));
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
