package io.kvdb.cli;

import io.kvdb.common.process.ExitCodes;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
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
  private final PrintStream out;
  private final PrintStream err;
  private int unreachable;

  private enum Verdict { MATCHES, LAGGING, DIFFERS, AHEAD }

  /** One follower's copy of one shard; {@code digest} is null when the follower did not report it. */
  private record Copy(FollowerInfo follower, int shard, ShardDigest digest) {}

  Verify(KvClient leader, Connection connection, PrintStream out, PrintStream err) {
    this.leader = leader;
    this.connection = connection;
    this.out = out;
    this.err = err;
  }

  int run() {
    List<Copy> copies = new ArrayList<>();
    for (FollowerInfo follower : leader.status().getFollowersList()) {
      if (!follower.getAlive()) {
        out.printf("%s: dead, skipped%n", follower.getId());
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
    Map<Verdict, Integer> counts = new HashMap<>();
    for (Copy copy : copies) {
      Verdict verdict = judge(copy, heads);
      counts.merge(verdict, 1, Integer::sum);
      report(copy, verdict, heads.get(copy.shard()));
    }
    int differ = counts.getOrDefault(Verdict.DIFFERS, 0);
    int stillAhead = counts.getOrDefault(Verdict.AHEAD, 0);
    out.printf("%d shard copies match the leader, %d lagging (retry), %d differ, %d ahead of the leader,"
        + " %d follower(s) unreachable%n", counts.getOrDefault(Verdict.MATCHES, 0),
        counts.getOrDefault(Verdict.LAGGING, 0), differ, stillAhead, unreachable);
    // A follower that could not be checked is not a pass: say so in the exit code too.
    return differ > 0 || stillAhead > 0 || unreachable > 0 ? ExitCodes.FAILED : ExitCodes.OK;
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
      unreachable++;
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
    } catch (KvCli.UsageException e) {
      err.printf("%s: %s%n", follower.getId(), e.getMessage());
    }
    return Optional.empty();
  }
}
