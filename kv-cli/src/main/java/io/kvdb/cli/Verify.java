package io.kvdb.cli;

import io.kvdb.common.process.ExitCodes;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kv verify}: compares the digest of every shard copy that a live follower holds with the
 * leader's. The followers are asked <b>first</b>, the leader after: a follower only applies what
 * the leader committed, so under a write load its copy may be behind the leader but never ahead
 * of what the leader says a moment later. Each copy is then one of:
 *
 * <ul>
 *   <li><b>matching</b>: the same seq, key count and digest as the leader;
 *   <li><b>lagging</b>: at a lower seq; not a failure (it catches up; run verify again);
 *   <li><b>differs</b>: at the same seq with another digest or key count: the copies hold
 *       different data (exit 1);
 *   <li><b>ahead</b>: at a higher seq than the leader, still so when asked again after
 *       {@link #RECHECK}: it holds writes the leader no longer has (a leader that lost an un-synced
 *       tail, or was restored from a backup). A follower repairs that by a snapshot on its own, so
 *       one that stays ahead is a failure (exit 1).
 * </ul>
 *
 * A live follower that cannot be asked is a failure too. Followers are dialled with the same TLS
 * trust and token as the leader.
 */
final class Verify {
  /** How long a copy may stay ahead of the leader before it counts: a follower that sees it snapshots at once. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  private final KvClient leader;
  private final Connection connection;
  private final Output output;
  private final PrintStream out;
  private final PrintStream err;
  /** With --json: {"id", "address", "error"} of each follower that could not be asked. */
  private final List<JsonObject> unreachable = new ArrayList<>();

  private enum Verdict {
    MATCHES("matching"), LAGGING("lagging"), DIFFERS("differing"), AHEAD("ahead");

    /** The name of the verdict and of its count in --json. */
    final String json;

    Verdict(String json) {
      this.json = json;
    }
  }

  /** One follower's copy of one shard; {@code digest} is null when the follower did not report it. */
  private record Copy(FollowerInfo follower, int shard, ShardDigest digest) {}

  Verify(KvClient leader, Connection connection, Output output) {
    this.leader = leader;
    this.connection = connection;
    this.output = output;
    this.out = output.out();
    this.err = output.err();
  }

  int run() {
    List<Copy> copies = new ArrayList<>();
    List<String> dead = new ArrayList<>();
    for (FollowerInfo follower : leader.status().getFollowersList()) {
      if (!follower.getAlive()) {
        dead.add(follower.getId());
        if (!output.json()) {
          out.printf("%s: dead, skipped%n", follower.getId());
        }
        continue;
      }
      copies.addAll(copiesOf(follower, follower.getShardsList()));
    }
    Map<Integer, ShardDigest> first = leaderDigests();
    List<Copy> ahead = copies.stream().filter(c -> judge(c, first) == Verdict.AHEAD).toList();
    Map<Integer, ShardDigest> heads = first;
    if (!ahead.isEmpty()) {
      copies.removeAll(ahead);
      copies.addAll(recheck(ahead));
      heads = leaderDigests(); // after the followers again
    }
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    List<JsonObject> judged = new ArrayList<>();
    for (Copy copy : copies) {
      Verdict verdict = judge(copy, heads);
      counts.merge(verdict, 1, Integer::sum);
      if (output.json()) {
        judged.add(json(copy, verdict, heads.get(copy.shard())));
      } else {
        report(copy, verdict, heads.get(copy.shard()));
      }
    }
    int differ = counts.getOrDefault(Verdict.DIFFERS, 0);
    int stillAhead = counts.getOrDefault(Verdict.AHEAD, 0);
    // A follower that could not be checked is not a pass: say so in the exit code too.
    boolean ok = differ == 0 && stillAhead == 0 && unreachable.isEmpty();
    if (output.json()) {
      JsonObject summary = new JsonObject().put("ok", ok);
      for (Verdict verdict : Verdict.values()) {
        summary.put(verdict.json, counts.getOrDefault(verdict, 0));
      }
      output.print(summary.put("unreachable", unreachable.size()).put("dead_skipped", dead)
          .put("unreachable_followers", unreachable).put("copies", judged));
    } else {
      out.printf("%d shard copies match the leader, %d lagging (retry), %d differ, %d ahead of the leader,"
          + " %d follower(s) unreachable%n", counts.getOrDefault(Verdict.MATCHES, 0),
          counts.getOrDefault(Verdict.LAGGING, 0), differ, stillAhead, unreachable.size());
    }
    return ok ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /**
   * A copy for --json: {@code {"follower", "shard", "verdict", "seq", "keys", "digest", "leader":
   * {the leader's digest}}}; without seq, keys and digest when the follower did not report the shard.
   */
  private static JsonObject json(Copy copy, Verdict verdict, ShardDigest head) {
    JsonObject json = new JsonObject().put("follower", copy.follower().getId()).put("shard", copy.shard())
        .put("verdict", verdict.json);
    if (copy.digest() != null) {
      json.putFields(copy.digest());
    }
    return json.put("leader", head);
  }

  /** The copies found ahead, asked again after {@link #RECHECK} (followers first, as before). */
  private List<Copy> recheck(List<Copy> ahead) {
    try {
      Thread.sleep(RECHECK.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ahead; // no time for a second look: report what was seen
    }
    Map<FollowerInfo, List<Integer>> shardsOf = new HashMap<>();
    ahead.forEach(copy -> shardsOf.computeIfAbsent(copy.follower(), f -> new ArrayList<>()).add(copy.shard()));
    List<Copy> again = new ArrayList<>();
    shardsOf.forEach((follower, shards) -> again.addAll(copiesOf(follower, shards)));
    return again;
  }

  private static Verdict judge(Copy copy, Map<Integer, ShardDigest> heads) {
    ShardDigest mine = copy.digest();
    ShardDigest head = heads.get(copy.shard());
    if (mine == null || mine.getSeq() < head.getSeq()) {
      return Verdict.LAGGING;
    }
    if (mine.getSeq() > head.getSeq()) {
      return Verdict.AHEAD;
    }
    return mine.equals(head) ? Verdict.MATCHES : Verdict.DIFFERS;
  }

  private void report(Copy copy, Verdict verdict, ShardDigest head) {
    ShardDigest mine = copy.digest();
    String what = switch (verdict) {
      case DIFFERS -> "differs";
      case AHEAD -> "is ahead of the leader (writes the leader lost?)";
      default -> null;
    };
    if (what != null) {
      out.printf("%s shard %d %s: seq %d keys %d digest %d, leader: seq %d keys %d digest %d%n",
          copy.follower().getId(), copy.shard(), what, mine.getSeq(), mine.getKeys(), mine.getDigest(),
          head.getSeq(), head.getKeys(), head.getDigest());
    }
  }

  private Map<Integer, ShardDigest> leaderDigests() {
    Map<Integer, ShardDigest> digests = new HashMap<>();
    leader.shardDigests().forEach(d -> digests.put(d.getShard(), d));
    return digests;
  }

  /**
   * The follower's copies of {@code shards}, as it reports them now; none (counted unreachable,
   * with the reason on stderr) when it cannot be asked. A shard it does not serve at the moment
   * (still catching up, being installed) has no digest: lagging.
   */
  private List<Copy> copiesOf(FollowerInfo follower, List<Integer> shards) {
    Optional<Map<Integer, ShardDigest>> reported = followerDigests(follower);
    if (reported.isEmpty()) {
      return List.of();
    }
    return shards.stream().map(shard -> new Copy(follower, shard, reported.get().get(shard))).toList();
  }

  /** The digests of the shards the follower serves (asking for none: it then names only those). */
  private Optional<Map<Integer, ShardDigest>> followerDigests(FollowerInfo follower) {
    try (FollowerClient client = connection.follower(follower.getAddress(), "the address the leader lists for "
        + follower.getId())) {
      Map<Integer, ShardDigest> digests = new HashMap<>();
      client.shardDigests().forEach(d -> digests.put(d.getShard(), d));
      return Optional.of(digests);
    } catch (KvException e) {
      err.printf("%s at %s: unreachable or refused: %s%s%n", follower.getId(), follower.getAddress(),
          KvCli.describe(e.status()), KvCli.hint(e.status(), connection));
      unreachable(follower, KvCli.describe(e.status()));
    } catch (KvCli.UsageException e) {
      err.printf("%s: %s%n", follower.getId(), e.getMessage());
      unreachable(follower, e.getMessage());
    }
    return Optional.empty();
  }

  private void unreachable(FollowerInfo follower, String error) {
    unreachable.add(new JsonObject().put("id", follower.getId()).put("address", follower.getAddress())
        .put("error", error));
  }
}
