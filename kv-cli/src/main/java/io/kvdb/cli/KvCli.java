package io.kvdb.cli;

import io.grpc.Status;
import io.kvdb.cli.bench.Bench;
import io.kvdb.client.KvClient;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.client.KvException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The {@code kv} command-line client: {@code kv [--leader HOST:PORT] [--token T] [--tls-ca FILE |
 * --tls] COMMAND ARGS}. Exit codes: 0 done, 1 not found or a shard copy differs (or stays ahead of
 * the leader), 2 usage (also a missing or wrong --tls-ca file), 3 the server refused or is
 * unreachable, 4 a compare-and-set conflict (--expect-version).
 */
public final class KvCli {
  static final String USAGE = """
      usage: kv [--leader HOST:PORT] [--token TOKEN] [--tls-ca FILE | --tls] COMMAND [ARGS]

      commands:
        put KEY VALUE [--wait N] [--expect-version N]
                                   store VALUE under KEY; --wait N waits for N follower acks (1 s);
                                   --expect-version N writes only if KEY's version is N (0: only if
                                   KEY does not exist), else prints CONFLICT current_version=V, exit 4
        get KEY                    print the value of KEY (its version on stderr)
        get --stale KEY [--followers HOST:PORT,...]
                                   read KEY from the freshest follower copy (for a leader that is down);
                                   stderr says which follower, the shard and its applied seq
        delete KEY [--expect-version N]
                                   delete KEY (only if its version is N, else exit 4 as put)
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
        watch PREFIX [--from REV] [--json]
                                   print each change under PREFIX ("put REV KEY VALUE", "delete REV KEY";
                                   --json: one object a line, progress too) after revision REV (default:
                                   from now), resuming across a leader restart; exit 1 on WATCH_COMPACTED
        bench [BENCH FLAGS]        a load of gets and puts (YCSB's shapes) over gRPC or HTTP; prints
                                   throughput, latency percentiles and errors by code (flags below)

      flags (anywhere on the line):
        --leader HOST:PORT         the leader's gRPC address (default 127.0.0.1:50051)
        --token TOKEN              bearer token, for servers started with --token-file (default: the
                                   environment variable KV_TOKEN, which keeps it out of the process list)
        --tls-ca FILE              speak TLS, trusting the PEM certificates in FILE (the servers' CA, or
                                   their self-signed certificates)
        --tls                      speak TLS, trusting the system's root certificates

      verify dials each follower at the address the leader lists, with the same TLS trust and token; so
      do get --stale and list --stale, or the --followers given (then the leader is not asked).

      bench flags:
      """ + Bench.flagsHelp();

  private KvCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command with {@code env} as the environment; returns the exit code. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Options options;
    Connection connection;
    KvClient leader;
    try {
      options = Options.parse(args, env);
      if (options.help()) {
        out.print(USAGE);
        return ExitCodes.OK;
      }
      if (options.command().isEmpty()) {
        err.print(USAGE);
        return ExitCodes.BAD_INPUT;
      }
      connection = Connection.of(options.tlsCa(), options.tls(), options.token());
      leader = connection.leader(options.leader(), "--leader");
    } catch (UsageException e) {
      err.println("kv: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    try (leader) {
      return new Commands(leader, options, connection, out, err).run(options.command());
    } catch (UsageException e) {
      err.println("kv: " + e.getMessage());
      err.print(USAGE);
      return ExitCodes.BAD_INPUT;
    } catch (KvException e) {
      err.println("kv: " + describe(e.status()) + hint(e.status(), connection));
      return ExitCodes.REFUSED;
    }
  }

  /**
   * {@code CODE: description}. A connection failure's description is grpc's generic "io exception"
   * followed by a dump of its pipeline; the local cause (a TLS alert, "Connection refused") says
   * more, so it replaces the dump.
   */
  static String describe(Status status) {
    String description = status.getDescription() == null ? "" : status.getDescription().lines().findFirst().orElse("");
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != null && root.getMessage() != null && !description.contains(root.getMessage())) {
      description = description.isEmpty() ? root.getMessage() : description + ": " + root.getMessage();
    }
    return status.getCode() + ": " + description;
  }

  /** What to try when a refusal or a failed connection is likely a flag away from working. */
  static String hint(Status status, Connection connection) {
    return switch (status.getCode()) {
      case UNAUTHENTICATED -> connection.hasToken()
          ? " (check --token / KV_TOKEN: this server does not know that token)"
          : " (this server wants a token: pass --token TOKEN or set KV_TOKEN)";
      // A TLS server hangs up on a plaintext client without a word; a handshake that fails names
      // the certificate. A refused connection or an unknown host is no TLS matter.
      case UNAVAILABLE -> {
        if (connection.tls() && causedBy(status, SSLException.class, CertificateException.class)) {
          yield " (with TLS: --tls-ca must hold the server's certificate or its CA, and the certificate must name"
              + " the host you dial)";
        }
        if (!connection.tls() && !causedBy(status, ConnectException.class, UnknownHostException.class)) {
          yield " (if the server was started with --tls-cert, pass --tls-ca FILE or --tls)";
        }
        yield "";
      }
      default -> "";
    };
  }

  private static boolean causedBy(Status status, Class<?>... types) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<?> type : types) {
        if (type.isInstance(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A command line that does not fit the usage. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
