package io.kvdb.cli;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code kv verify}: asks each live follower for the digests of the shards placed on it and
 * compares them with the leader's. A shard still behind (lower seq) is reported as lagging, not as
 * a mismatch; the same seq with another digest or key count is a mismatch (exit 1), and so is a
 * live follower that cannot be asked. Followers are
 * dialled with the same TLS trust and token as the leader.
 */
final class Verify {
  private final KvClient leader;
  private final Connection connection;
  private final PrintStream out;
  private final PrintStream err;

  Verify(KvClient leader, Connection connection, PrintStream out, PrintStream err) {
    this.leader = leader;
    this.connection = connection;
    this.out = out;
    this.err = err;
  }

  int run() {
    StatusResponse status = leader.status();
    Map<Integer, ShardDigest> leaderDigests = new HashMap<>();
    leader.shardDigests().forEach(d -> leaderDigests.put(d.getShard(), d));
    int matching = 0;
    int lagging = 0;
    int mismatched = 0;
    int unreachable = 0;
    for (FollowerInfo follower : status.getFollowersList()) {
      if (!follower.getAlive()) {
        out.printf("%s: dead, skipped%n", follower.getId());
        continue;
      }
      Map<Integer, ShardDigest> own;
      try {
        own = followerDigests(follower);
      } catch (KvException e) {
        err.printf("%s at %s: unreachable or refused: %s%s%n", follower.getId(), follower.getAddress(),
            KvCli.describe(e.status()), KvCli.hint(e.status(), connection));
        unreachable++;
        continue;
      } catch (KvCli.UsageException e) {
        err.printf("%s: %s%n", follower.getId(), e.getMessage());
        unreachable++;
        continue;
      }
      for (int shard : follower.getShardsList()) {
        ShardDigest mine = own.get(shard);
        ShardDigest theirs = leaderDigests.get(shard);
        if (mine == null || mine.getSeq() < theirs.getSeq()) {
          lagging++;
        } else if (mine.equals(theirs)) {
          matching++;
        } else {
          mismatched++;
          out.printf("%s shard %d: seq %d keys %d digest %d, leader: seq %d keys %d digest %d%n", follower.getId(),
              shard, mine.getSeq(), mine.getKeys(), mine.getDigest(), theirs.getSeq(), theirs.getKeys(),
              theirs.getDigest());
        }
      }
    }
    out.printf("%d shard copies match the leader, %d lagging (retry), %d differ, %d follower(s) unreachable%n",
        matching, lagging, mismatched, unreachable);
    // A follower that could not be checked is not a pass: say so in the exit code too.
    return mismatched > 0 || unreachable > 0 ? 1 : 0;
  }

  private Map<Integer, ShardDigest> followerDigests(FollowerInfo follower) {
    try (FollowerClient client = connection.follower(follower.getAddress(), "the address the leader lists for "
        + follower.getId())) {
      Map<Integer, ShardDigest> digests = new HashMap<>();
      client.shardDigests().forEach(d -> digests.put(d.getShard(), d));
      return digests;
    }
  }
}
