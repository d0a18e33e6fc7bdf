package io.kvdb.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kv} command-line client: {@code kv [--leader HOST:PORT] COMMAND ARGS}.
 * Exit codes: 0 done, 1 not found or digests differ, 2 usage, 3 the server refused or is unreachable.
 */
public final class KvCli {
  static final String USAGE = """
      usage: kv [--leader HOST:PORT] COMMAND [ARGS]

      commands:
        put KEY VALUE [--wait N]   store VALUE under KEY; --wait N waits for N follower acks (1 s)
        get KEY                    print the value of KEY
        delete KEY                 delete KEY
        list [--prefix P] [--limit N]
                                   print keys and values in key order (all pages; --limit caps the total)
        status                     the leader, its shards and every follower with its lag
        verify                     compare every live follower's shards with the leader's digests
        bench [--ops N] [--clients C] [--value-bytes B]
                                   N puts then N gets of keys bench/0.. from C clients; prints ops/s

      --leader defaults to 127.0.0.1:50051.
      """;

  private KvCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String leader = "127.0.0.1:50051";
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--leader") && i + 1 < args.length) {
        leader = args[++i];
      } else if (args[i].startsWith("--leader=")) {
        leader = args[i].substring("--leader=".length());
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        out.print(USAGE);
        return 0;
      } else {
        rest.add(args[i]);
      }
    }
    if (rest.isEmpty()) {
      err.print(USAGE);
      return 2;
    }
    int colon = leader.lastIndexOf(':');
    if (colon <= 0) {
      err.println("kv: --leader must be HOST:PORT, got '" + leader + "'");
      return 2;
    }
    ManagedChannel channel;
    try {
      channel = NettyChannelBuilder.forAddress(leader.substring(0, colon), Integer.parseInt(leader.substring(colon + 1)))
          .usePlaintext().build();
    } catch (NumberFormatException e) {
      err.println("kv: --leader must be HOST:PORT, got '" + leader + "'");
      return 2;
    }
    try {
      return new Commands(channel, out, err).run(rest);
    } catch (UsageException e) {
      err.println("kv: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (StatusRuntimeException e) {
      err.println("kv: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 3;
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A command line that does not fit the usage. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
