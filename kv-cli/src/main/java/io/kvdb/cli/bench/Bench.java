package io.kvdb.cli.bench;

import io.kvdb.client.KvClient;
import io.kvdb.common.process.ExitCodes;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code kv bench}: a YCSB-shaped load on the leader over gRPC (through kv-client) or on the
 * gateway over HTTP, from {@code --clients} threads with one call in flight each, for
 * {@code --duration} seconds or {@code --ops} calls after {@code --warmup}. The read workloads store
 * their {@code --keys} first, unmeasured. It prints a progress line about once a second (stderr),
 * then a table of throughput and HdrHistogram latency percentiles per operation with the errors by
 * code (stdout), or with the CLI's {@code --json} the same figures as one JSON document instead.
 *
 * <p>Failed calls are counted, not fatal; a run in which every call fails for
 * {@link LoadRunner#GIVE_UP_AFTER} stops and exits {@link ExitCodes#REFUSED}, saying why (its
 * report says {@code "stopped"}). Storing the keys first must succeed: a failure there is a
 * {@link StoppedException}.
 */
public final class Bench {
  private final KvClient leader;
  private final String leaderAddress;
  private final Dialer connector;
  private final HttpAccess httpAccess;
  private final PrintStream out;
  private final PrintStream err;

  /**
   * @param leader the client of the CLI's --leader
   * @param leaderAddress that --leader, the default gRPC target
   * @param connector a client of another gRPC address (--target), or one on the Session stream
   *     (--session), dialled as the leader is
   * @param httpAccess the token and TLS flags, for the HTTP target
   */
  public Bench(KvClient leader, String leaderAddress, Dialer connector, HttpAccess httpAccess,
      PrintStream out, PrintStream err) {
    this.leader = leader;
    this.leaderAddress = leaderAddress;
    this.connector = connector;
    this.httpAccess = httpAccess;
    this.out = out;
    this.err = err;
  }

  /** The flags of {@code kv bench} with their help, for the CLI's usage text. */
  public static String flagsHelp() {
    String usage = BenchConfig.flags().usage();
    return usage.substring(usage.indexOf("flags:\n") + "flags:\n".length());
  }

  /**
   * Runs the benchmark the operands describe; returns the exit code.
   *
   * @param json whether the report is printed as JSON rather than as a table
   * @throws IllegalArgumentException for a flag that is unknown or has a wrong value
   * @throws StoppedException when storing the keys of a read workload failed (nothing measured)
   */
  public int run(List<String> operands, boolean json) {
    BenchConfig config = BenchConfig.parse(operands, leaderAddress);
    boolean http = config.protocol() == BenchConfig.Protocol.HTTP;
    KvClient own = null;
    Target target;
    if (http) {
      target = new HttpTarget(config.target(), httpAccess);
    } else if (config.target().toString().equals(leaderAddress) && !config.session()) {
      target = new GrpcTarget(leader, leaderAddress);
    } else {
      own = connector.dial(config.target().toString(), config.session());
      target = new GrpcTarget(own, config.target().toString(), config.session());
    }
    try (target) {
      return run(config, target, new Values(config.valueBytes(), http), json);
    } finally {
      if (own != null) {
        own.close();
      }
    }
  }

  private int run(BenchConfig config, Target target, Values values, boolean json) {
    LoadRunner runner = new LoadRunner(config, target, values, err);
    if (config.workload().readsStoredKeys()) {
      err.printf("bench: storing %d keys first (not measured)%n", config.keys());
      OpStats stored = new OpStats("put");
      LoadRunner.Result preload = runner.preload(stored);
      if (preload.stopped().isPresent() || stored.errorCount() > 0) {
        throw new StoppedException("bench stopped: storing the " + config.keys() + " keys first, "
            + stored.errorCount() + " puts failed " + stored.errors() + preload.stopped().map(why -> "; " + why)
            .orElse(""));
      }
    }
    OpStats get = new OpStats("get");
    OpStats put = new OpStats("put");
    LoadRunner.Result result = runner.run(get, put);
    List<OpStats> ops = switch (config.workload()) {
      case LOAD -> List.of(put);
      case READ -> List.of(get);
      case UPDATE, READ_MOSTLY -> List.of(get, put);
    };
    Report report = new Report(config, target.describe(), ops, result.seconds(), result.stopped(),
        result.lagMs(), target.replicationLagSummary());
    out.print(json ? report.json() : report.table());
    if (result.stopped().isPresent()) {
      err.println("kv: bench stopped: " + result.stopped().get());
      return ExitCodes.REFUSED;
    }
    return ExitCodes.OK;
  }

  /** Makes a client of a gRPC address, dialled as the CLI's leader is. */
  @FunctionalInterface
  public interface Dialer {
    /** A client of {@code address}; {@code session}: its gets and puts go on the Session stream. */
    KvClient dial(String address, boolean session);
  }

  /** Storing the keys of a read workload failed, so nothing was measured (exit 3). */
  public static final class StoppedException extends RuntimeException {
    StoppedException(String message) {
      super(message);
    }
  }
}
