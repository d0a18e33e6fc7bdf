package io.kvdb.cli;

import io.grpc.Status;
import io.kvdb.cli.bench.Bench;
import io.kvdb.client.ClientFlags;
import io.kvdb.client.KvClient;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.client.KvException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The {@code kv} command-line client: {@code kv [--leader HOST:PORT] [--token T] [--tls-ca FILE |
 * --tls] [--json] COMMAND ARGS}. Exit codes: 0 done, 1 not found or a shard copy differs (or stays
 * ahead of the leader), 2 usage (also a missing or wrong --tls-ca file), 3 the server refused or is
 * unreachable, 4 a compare-and-set conflict (--expect-version); the same with {@code --json},
 * which prints answers and errors as JSON ({@link Output}).
 */
public final class KvCli {
  static final String USAGE = """
      usage: kv [--leader HOST:PORT] [--token TOKEN] [--tls-ca FILE | --tls] [--json] COMMAND [ARGS]

      commands:
        put KEY VALUE [--wait N] [--expect-version N] [--ttl S]
                                   store VALUE under KEY; --wait N waits for N follower acks (1 s);
                                   --expect-version N writes only if KEY's version is N (0: only if
                                   KEY does not exist), else prints CONFLICT current_version=V, exit 4;
                                   --ttl S: KEY expires S seconds later (without it: never)
        get KEY                    print the value of KEY (its version, and ttl_remaining_ms when it
                                   has a TTL, on stderr)
        get --stale KEY [--followers HOST:PORT,...]
                                   read KEY from the freshest follower copy (for a leader that is down);
                                   stderr says which follower, the shard and its applied seq
        delete KEY [--expect-version N]
                                   delete KEY (only if its version is N, else exit 4 as put)
        batch FILE                 apply the JSON batch in FILE (-: stdin) atomically, all or nothing:
                                   {"ops": [{"op": "put", "key": K, "value": V, "expected_version": N,
                                   "ttl_seconds": S}, {"op": "delete", "key": K}]} (the body of POST
                                   /batch); a failed condition prints CONFLICT failed_index=I
                                   current_version=V, exit 4
        list [--prefix P] [--limit N]
                                   print keys and values in key order (all pages; --limit caps the total)
        list --stale [--prefix P] [--limit N] [--followers HOST:PORT,...]
                                   the same merged from the followers' copies, one per shard; stderr names
                                   the shards no follower could serve (exit 1 then)
        status                     the leader, its shards and every follower with its lag
        verify                     compare every live follower's shards with the leader's digests
                                   (followers first; exit 1 when a copy differs or stays ahead)
        backup FILE                a consistent copy of every shard of the leader into FILE (a new
                                   file, written under a temporary name and renamed when complete)
        restore FILE --data-dir DIR
                                   make a leader data dir from a backup FILE, offline (DIR absent or
                                   empty; a corrupted or truncated FILE is refused, exit 1, nothing
                                   written); ./kv runs it from the leader's jar
        drain FOLLOWER_ID          move every shard of the follower to the others (make-before-break) and
                                   keep it out of placement; waits until it holds none (exit 1: refused)
        undrain FOLLOWER_ID        let a drained follower take shards again
        watch PREFIX [--from REV] [--prev]
                                   print each change under PREFIX ("put REV KEY VALUE", "delete REV KEY";
                                   --prev: then "prev_version=N prev_value=V" when the leader has them;
                                   --json: one object a line, progress too) after revision REV (default:
                                   from now), resuming across a leader restart; exit 1 on WATCH_COMPACTED
        bench [BENCH FLAGS]        a load of gets and puts (YCSB's shapes) over gRPC or HTTP; prints
                                   throughput, latency percentiles and errors by code (flags below;
                                   with --json the report as one JSON document)

      flags (anywhere on the line):
        --leader HOST:PORT         the leader's gRPC address (default 127.0.0.1:50051)
        --token TOKEN              bearer token, for servers started with --token-file (default: the
                                   environment variable KV_TOKEN, which keeps it out of the process list)
        --tls-ca FILE              speak TLS, trusting the PEM certificates in FILE (the servers' CA, or
                                   their self-signed certificates)
        --tls                      speak TLS, trusting the system's root certificates
        --json                     answers as JSON on stdout (UTF-8): one object per command, one per line
                                   for list; fields named as the HTTP API's (key, value, encoding, shard,
                                   seq, followers, acks, epoch; status as GET /cluster); errors as
                                   {"error": "...", "code": "..."} on stdout, with the same exit codes;
                                   progress lines and notes stay on stderr

      verify dials each follower at the address the leader lists, with the same TLS trust and token; so
      do get --stale and list --stale, or the --followers given (then the leader is not asked).

      bench flags:
      """ + Bench.flagsHelp();

  private KvCli() {}

  public static void main(String[] args) {
    // UTF-8 whatever the locale: JSON is UTF-8, and a value printed as text must not lose characters.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(run(args, System.getenv(), out, err));
  }

  /** Runs one command with {@code env} as the environment; returns the exit code. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Options options;
    Connection connection;
    KvClient leader;
    Output output = new Output(Options.asksForJson(args), out, err);
    try {
      options = Options.parse(args, env);
      output = new Output(options.json(), out, err);
      if (options.help()) {
        out.print(USAGE);
        return ExitCodes.OK;
      }
      if (options.command().isEmpty()) {
        return usage(output, "a command is needed");
      }
      connection = Connection.of(options.tlsCa(), options.tls(), options.token());
      leader = connection.leader(options.leader(), "--leader");
    } catch (UsageException e) {
      return output.error(ExitCodes.BAD_INPUT, Output.USAGE, e.getMessage());
    }
    try (leader) {
      return new Commands(leader, options, connection, output).run(options.command());
    } catch (UsageException e) {
      return usage(output, e.getMessage());
    } catch (KvException e) {
      return output.failed(ExitCodes.REFUSED, e, "", hint(e.status(), connection));
    }
  }

  /** A command line that does not fit: the error, then (as text) the usage on stderr. */
  private static int usage(Output output, String message) {
    output.error(ExitCodes.BAD_INPUT, Output.USAGE, message);
    if (!output.json()) {
      output.err().print(USAGE);
    }
    return ExitCodes.BAD_INPUT;
  }

  /** {@code CODE: description} of a failed call, with its local cause ({@link ClientFlags#describe}). */
  static String describe(Status status) {
    return ClientFlags.describe(status);
  }

  /** The description of {@link #describe}, without the code. */
  static String description(Status status) {
    return ClientFlags.description(status);
  }

  /** What to try when a refusal or a failed connection is likely a flag away from working. */
  static String hint(Status status, Connection connection) {
    return ClientFlags.hint(status, connection.options());
  }

  /** A command line that does not fit the usage. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
