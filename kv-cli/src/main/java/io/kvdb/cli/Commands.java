package io.kvdb.cli;

import io.kvdb.common.process.ExitCodes;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.LagSummary;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.cli.bench.Bench;
import io.kvdb.cli.bench.HttpAccess;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.KvClient;
import io.kvdb.client.VersionConflictException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** The commands of {@link KvCli}, each a call or two on the leader through {@link KvClient}. */
final class Commands {
  /** The --json code of a bench whose read workload could not store its keys first (exit 3). */
  static final String BENCH_STOPPED = "BENCH_STOPPED";
  /** The largest page a listing asks for (the leader's default --max-page-size). */
  private static final int PAGE = 1000;

  private final KvClient leader;
  private final String leaderAddress;
  private final HttpAccess httpAccess;
  private final Connection connection;
  private final Output output;
  private final PrintStream out;

  Commands(KvClient leader, Options options, Connection connection, Output output) {
    this.leader = leader;
    this.leaderAddress = options.leader();
    this.httpAccess = new HttpAccess(options.token(), options.tlsCa(), options.tls());
    this.connection = connection;
    this.output = output;
    this.out = output.out();
  }

  int run(List<String> args) {
    String command = args.get(0);
    List<String> operands = args.subList(1, args.size());
    return switch (command) {
      case "put" -> put(operands);
      case "get" -> operands.contains("--stale") ? staleRead().get(operands) : get(one(operands, "get KEY"));
      case "delete", "del" -> delete(operands);
      case "list", "ls" -> operands.contains("--stale") ? staleRead().list(operands) : list(operands);
      case "status" -> status();
      case "verify" -> new Verify(leader, connection, output).run();
      case "bench" -> bench(operands);
      case "backup" -> new BackupCommand(leader, output, System::currentTimeMillis).run(operands);
      case "restore" -> throw new KvCli.UsageException("restore writes a leader data dir, which this client cannot:"
          + " run it as ./kv restore FILE --data-dir DIR (from the leader's jar)");
      case "drain" -> new Drain(leader, output).drain(one(operands, "drain FOLLOWER_ID"));
      case "undrain" -> new Drain(leader, output).undrain(one(operands, "undrain FOLLOWER_ID"));
      case "batch" -> new BatchCommand(leader, System.in, output).run(operands);
      case "watch" -> new WatchCommand(leader, output).run(operands);
      default -> throw new KvCli.UsageException("unknown command '" + command + "'");
    };
  }

  private StaleRead staleRead() {
    return new StaleRead(leader, connection, output);
  }

  private int bench(List<String> operands) {
    try {
      return new Bench(leader, leaderAddress, (address, session) -> connection.leader(address, "--target", session), httpAccess, out,
          output.err()).run(operands, output.json());
    } catch (Bench.StoppedException e) {
      return output.error(ExitCodes.REFUSED, BENCH_STOPPED, e.getMessage());
    } catch (IllegalArgumentException e) {
      // bench --json FILE wrote a file once; --json is now the CLI's own flag, and FILE an operand.
      String hint = output.json() && e.getMessage().startsWith("unexpected argument")
          ? " (--json takes no file: the report goes to stdout as JSON; redirect it, > FILE)" : "";
      throw new KvCli.UsageException("bench: " + e.getMessage() + hint);
    }
  }

  private int put(List<String> operands) {
    String usage = "put KEY VALUE [--wait N] [--expect-version N] [--ttl S]";
    if (operands.size() < 2) {
      throw new KvCli.UsageException(usage);
    }
    Long acks = null;
    Long expected = null;
    Long ttl = null;
    for (int i = 2; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--wait" -> acks = (long) number(value(operands, ++i, "--wait"), "--wait");
        case "--expect-version" -> expected = version(value(operands, ++i, "--expect-version"));
        case "--ttl" -> ttl = ttlSeconds(value(operands, ++i, "--ttl"));
        default -> throw new KvCli.UsageException(usage);
      }
    }
    KvClient client = leader;
    if (acks != null) {
      if (acks < 0) {
        throw new KvCli.UsageException("--wait needs a number of followers >= 0, got " + acks);
      }
      client = leader.withAcks(acks.intValue(), Duration.ZERO); // zero: the leader's --ack-timeout-ms
    }
    String key = operands.get(0);
    ByteString value = ByteString.copyFromUtf8(operands.get(1));
    WriteResponse reply;
    try {
      reply = ttl != null
          ? client.put(key, value, expected == null ? OptionalLong.empty() : OptionalLong.of(expected), ttl)
          : expected == null ? client.put(key, value) : client.put(key, value, expected);
    } catch (VersionConflictException e) {
      return conflict(e);
    }
    if (output.json()) {
      output.print(written(key, reply, false));
      return ExitCodes.OK;
    }
    out.printf("OK shard=%d seq=%d version=%d followers=%s%s%n", reply.getShard(), reply.getSeq(), reply.getVersion(),
        reply.getFollowersList(), acks != null ? " acks=" + reply.getAcks() : "");
    return ExitCodes.OK;
  }

  /** The value on stdout, as before; its version on stderr, so that scripts reading the value are unchanged. */
  private int get(String key) {
    Optional<GetResponse> entry = leader.getEntry(key);
    if (entry.isEmpty()) {
      return notFound(key);
    }
    if (output.json()) {
      output.print(new JsonObject().put("key", key).putValue(entry.get().getValue())
          .put("version", entry.get().getVersion()));
      return ExitCodes.OK;
    }
    out.println(printable(entry.get().getValue()));
    long ttlMs = entry.get().getTtlRemainingMs();
    output.err().println("version=" + entry.get().getVersion() + (ttlMs > 0 ? " ttl_remaining_ms=" + ttlMs : ""));
    return ExitCodes.OK;
  }

  private int delete(List<String> operands) {
    String usage = "delete KEY [--expect-version N]";
    if (operands.size() != 1 && !(operands.size() == 3 && operands.get(1).equals("--expect-version"))) {
      throw new KvCli.UsageException(usage);
    }
    String key = operands.get(0);
    Optional<WriteResponse> reply;
    try {
      reply = operands.size() == 1 ? leader.delete(key) : leader.delete(key, version(operands.get(2)));
    } catch (VersionConflictException e) {
      return conflict(e);
    }
    if (reply.isEmpty()) {
      return notFound(key);
    }
    if (output.json()) {
      output.print(written(key, reply.get(), true));
      return ExitCodes.OK;
    }
    out.printf("OK shard=%d seq=%d version=%d%n", reply.get().getShard(), reply.get().getSeq(),
        reply.get().getVersion());
    return ExitCodes.OK;
  }

  /** A compare-and-set that failed: the key's version now on stdout (0: no such key), exit 4. */
  private int conflict(VersionConflictException e) {
    if (output.json()) {
      return output.failed(ExitCodes.UNAVAILABLE, e, "", ""); // its ErrorInfo carries current_version
    }
    output.err().println("kv: " + KvCli.describe(e.status()));
    out.println("CONFLICT current_version=" + e.currentVersion());
    return ExitCodes.UNAVAILABLE;
  }

  private static long version(String text) {
    try {
      long version = Long.parseLong(text);
      if (version >= 0) {
        return version;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new KvCli.UsageException("--expect-version needs a version >= 0 (0: the key must not exist), got '"
        + text + "'");
  }

  /** A TTL in whole seconds, at least 1 (the leader refuses more than ten years). */
  private static long ttlSeconds(String text) {
    try {
      long seconds = Long.parseLong(text);
      if (seconds >= 1) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new KvCli.UsageException("--ttl needs a whole number of seconds >= 1, got '" + text + "'");
  }

  private int list(List<String> operands) {
    String prefix = "";
    long limit = Long.MAX_VALUE;
    for (int i = 0; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--prefix" -> prefix = value(operands, ++i, "--prefix");
        case "--limit" -> limit = number(value(operands, ++i, "--limit"), "--limit");
        default -> throw new KvCli.UsageException("list [--prefix P] [--limit N]");
      }
    }
    if (limit < 0) {
      throw new KvCli.UsageException("--limit needs a number >= 0, got " + limit);
    }
    ListRequest request = ListRequest.newBuilder().setPrefix(prefix).setLimit((int) Math.min(PAGE, limit)).build();
    try (Stream<KeyValue> pairs = leader.list(request).limit(limit)) {
      pairs.forEach(pair -> printPair(output, pair));
    }
    return ExitCodes.OK;
  }

  private int status() {
    StatusResponse status = leader.status();
    if (output.json()) {
      output.print(new JsonObject().putFields(status));
      return ExitCodes.OK;
    }
    out.printf("leader %s epoch %d: %d shards, R=%d, %d keys, %d writes, %s, placement v%d%n", status.getLeaderId(),
        status.getEpoch(), status.getShards(), status.getReplicationFactor(), status.getKeys(),
        status.getHeadSeqTotal(), status.getDurable() ? "durable (fsync)" : "async", status.getAssignmentVersion());
    if (status.getUnplacedShardsCount() > 0) {
      out.printf("shards with no live follower: %s%n", status.getUnplacedShardsList());
    }
    out.printf("under-replicated shards (fewer than R=%d caught-up copies): %s%n", status.getReplicationFactor(),
        status.getUnderReplicatedShardsCount() == 0 ? "none" : status.getUnderReplicatedShardsList());
    out.printf("missing shards (no copy when rebuilt, writes refused until --allow-missing-shards): %s%n",
        status.getMissingShardsCount() == 0 ? "none" : status.getMissingShardsList());
    out.printf("%-20s %-22s %-6s %6s %10s %10s %10s %s%n", "FOLLOWER", "ADDRESS", "ALIVE", "SHARDS", "APPLIED",
        "LAG", "LAG_MS", "DRAINED");
    for (FollowerInfo f : status.getFollowersList()) {
      out.printf("%-20s %-22s %-6s %6d %10d %10d %10d %s%n", f.getId(), f.getAddress(), f.getAlive() ? "yes" : "no",
          f.getShardsCount(), f.getAppliedTotal(), f.getLagEvents(), f.getLagMs(), f.getDrained() ? "yes" : "no");
    }
    LagSummary lag = status.getReplicationLag();
    if (lag.getCount() > 0) {
      out.printf(Locale.ROOT, "replication lag, last %d s (%d acks): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms,"
          + " max %.0f ms%n", lag.getWindowSeconds(), lag.getCount(), lag.getP50Ms(), lag.getP99Ms(), lag.getP999Ms(),
          lag.getMaxMs());
    } else if (lag.getWindowSeconds() > 0) {
      out.printf("replication lag, last %d s: no follower applied a write%n", lag.getWindowSeconds());
    }
    return ExitCodes.OK;
  }

  private int notFound(String key) {
    return output.error(ExitCodes.FAILED, Output.NOT_FOUND, "not found: " + key, new JsonObject().put("key", key));
  }

  /**
   * A pair of a listing: {@code KEY<tab>VALUE}, or with --json one object a line,
   * {@code {"key", "value", "encoding"}} and any other field the pair carries.
   */
  static void printPair(Output output, KeyValue pair) {
    if (output.json()) {
      output.print(new JsonObject().putFields(pair));
    } else {
      output.out().println(pair.getKey() + "\t" + printable(pair.getValue()));
    }
  }

  /**
   * The JSON of a write, as {@code POST /set} and {@code DELETE /delete/:key} answer it:
   * {@code {"key", ["deleted": true,] "shard", "seq", "followers", "acks", "epoch", ...}}, every
   * field of the reply.
   */
  private static JsonObject written(String key, WriteResponse reply, boolean deleted) {
    JsonObject json = new JsonObject().put("key", key);
    if (deleted) {
      json.put("deleted", true);
    }
    return json.putFields(reply);
  }

  /** The value as text when it is UTF-8, else "base64:" and its base64 (lossless either way). */
  static String printable(ByteString value) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(value.toByteArray());
    }
  }

  private static String one(List<String> operands, String usage) {
    if (operands.size() != 1) {
      throw new KvCli.UsageException(usage);
    }
    return operands.get(0);
  }

  private static String value(List<String> operands, int index, String flag) {
    if (index >= operands.size()) {
      throw new KvCli.UsageException(flag + " needs a value");
    }
    return operands.get(index);
  }

  static int number(String text, String flag) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new KvCli.UsageException(flag + " needs a number, got '" + text + "'");
    }
  }
}
