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
import java.util.stream.Stream;

/** The commands of {@link KvCli}, each a call or two on the leader through {@link KvClient}. */
final class Commands {
  /** The largest page a listing asks for (the leader's default --max-page-size). */
  private static final int PAGE = 1000;

  private final KvClient leader;
  private final String leaderAddress;
  private final HttpAccess httpAccess;
  private final Connection connection;
  private final PrintStream out;
  private final PrintStream err;

  Commands(KvClient leader, Options options, Connection connection, PrintStream out, PrintStream err) {
    this.leader = leader;
    this.leaderAddress = options.leader();
    this.httpAccess = new HttpAccess(options.token(), options.tlsCa(), options.tls());
    this.connection = connection;
    this.out = out;
    this.err = err;
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
      case "verify" -> new Verify(leader, connection, out, err).run();
      case "bench" -> bench(operands);
      case "backup" -> new BackupCommand(leader, out, err, System::currentTimeMillis).run(operands);
      case "restore" -> throw new KvCli.UsageException("restore writes a leader data dir, which this client cannot:"
          + " run it as ./kv restore FILE --data-dir DIR (from the leader's jar)");
      case "drain" -> new Drain(leader, out, err).drain(one(operands, "drain FOLLOWER_ID"));
      case "watch" -> new WatchCommand(leader, out, err).run(operands);
      case "undrain" -> new Drain(leader, out, err).undrain(one(operands, "undrain FOLLOWER_ID"));
      default -> throw new KvCli.UsageException("unknown command '" + command + "'");
    };
  }

  private StaleRead staleRead() {
    return new StaleRead(leader, connection, out, err);
  }

  private int bench(List<String> operands) {
    try {
      return new Bench(leader, leaderAddress, address -> connection.leader(address, "--target"), httpAccess, out,
          err)
          .run(operands);
    } catch (IllegalArgumentException e) {
      throw new KvCli.UsageException("bench: " + e.getMessage());
    }
  }

  private int put(List<String> operands) {
    String usage = "put KEY VALUE [--wait N] [--expect-version N]";
    if (operands.size() < 2) {
      throw new KvCli.UsageException(usage);
    }
    Long acks = null;
    Long expected = null;
    for (int i = 2; i < operands.size(); i++) {
      switch (operands.get(i)) {
        case "--wait" -> acks = (long) number(value(operands, ++i, "--wait"), "--wait");
        case "--expect-version" -> expected = version(value(operands, ++i, "--expect-version"));
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
      reply = expected == null ? client.put(key, value) : client.put(key, value, expected);
    } catch (VersionConflictException e) {
      return conflict(e);
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
    out.println(printable(entry.get().getValue()));
    err.println("version=" + entry.get().getVersion());
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
    out.printf("OK shard=%d seq=%d version=%d%n", reply.get().getShard(), reply.get().getSeq(),
        reply.get().getVersion());
    return ExitCodes.OK;
  }

  /** A compare-and-set that failed: the key's version now on stdout (0: no such key), exit 4. */
  private int conflict(VersionConflictException e) {
    err.println("kv: " + KvCli.describe(e.status()));
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
      pairs.forEach(item -> out.println(item.getKey() + "\t" + printable(item.getValue())));
    }
    return ExitCodes.OK;
  }

  private int status() {
    StatusResponse status = leader.status();
    out.printf("leader %s epoch %d: %d shards, R=%d, %d keys, %d writes, %s, placement v%d%n", status.getLeaderId(),
        status.getEpoch(), status.getShards(), status.getReplicationFactor(), status.getKeys(),
        status.getHeadSeqTotal(), status.getDurable() ? "durable (fsync)" : "async", status.getAssignmentVersion());
    if (status.getUnplacedShardsCount() > 0) {
      out.printf("shards with no live follower: %s%n", status.getUnplacedShardsList());
    }
    out.printf("under-replicated shards (fewer than R=%d caught-up copies): %s%n", status.getReplicationFactor(),
        status.getUnderReplicatedShardsCount() == 0 ? "none" : status.getUnderReplicatedShardsList());
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
    err.println("kv: not found: " + key);
    return ExitCodes.FAILED;
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
