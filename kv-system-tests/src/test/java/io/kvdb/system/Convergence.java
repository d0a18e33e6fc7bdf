package io.kvdb.system;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.StatusResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The check that followers hold exactly the leader's data: every shard placed on a live follower
 * has the leader's (seq, keys, digest) there, every shard has R live holders, and a follower holds
 * nothing of a shard not placed on it.
 */
final class Convergence {
  private Convergence() {}

  /** Waits until the cluster has converged (writes must have stopped), then returns the leader's digests. */
  static Map<Integer, ShardDigest> await(TestCluster cluster, Duration timeout) {
    String[] last = {"not checked yet"};
    cluster.await("followers equal the leader by digest", timeout, () -> {
      last[0] = mismatch(cluster);
      return last[0] == null;
    });
    return leaderDigests(cluster);
  }

  static Map<Integer, ShardDigest> leaderDigests(TestCluster cluster) {
    Map<Integer, ShardDigest> digests = new HashMap<>();
    cluster.client().shardDigests().forEach(d -> digests.put(d.getShard(), d));
    return digests;
  }

  /** Why the cluster has not converged, or null when it has. */
  static String mismatch(TestCluster cluster) {
    StatusResponse status = cluster.status();
    Map<Integer, ShardDigest> leader = leaderDigests(cluster);
    Map<Integer, Integer> copies = new HashMap<>();
    for (FollowerInfo info : status.getFollowersList()) {
      if (!info.getAlive()) {
        continue;
      }
      if (info.getIncomingShardsCount() > 0) {
        return info.getId() + " is still syncing shards " + info.getIncomingShardsList();
      }
      TestCluster.Follower follower = cluster.follower(info.getId());
      FollowerStatusResponse own = follower.status();
      if (!own.getState().equals("live")) {
        return info.getId() + " is " + own.getState();
      }
      Set<Integer> placed = new HashSet<>(info.getShardsList());
      for (ShardDigest digest : own.getShardsList()) {
        if (!placed.contains(digest.getShard())) {
          return info.getId() + " holds shard " + digest.getShard() + " which is not placed on it";
        }
        if (!digest.equals(leader.get(digest.getShard()))) {
          return info.getId() + " shard " + digest.getShard() + " is " + brief(digest) + ", the leader's is "
              + brief(leader.get(digest.getShard()));
        }
        copies.merge(digest.getShard(), 1, Integer::sum);
      }
      if (own.getShardsCount() != placed.size()) {
        return info.getId() + " reports " + own.getShardsCount() + " shards but " + placed.size() + " are placed on it";
      }
    }
    long live = status.getFollowersList().stream().filter(FollowerInfo::getAlive).count();
    int expected = (int) Math.min(live, status.getReplicationFactor());
    for (int shard = 0; shard < status.getShards(); shard++) {
      if (copies.getOrDefault(shard, 0) != expected) {
        return "shard " + shard + " has " + copies.getOrDefault(shard, 0) + " copies, expected " + expected;
      }
    }
    return null;
  }

  private static String brief(ShardDigest digest) {
    return digest == null ? "missing" : "seq " + digest.getSeq() + " keys " + digest.getKeys() + " digest " + digest.getDigest();
  }

  static List<String> aliveFollowers(TestCluster cluster) {
    return cluster.status().getFollowersList().stream().filter(FollowerInfo::getAlive).map(FollowerInfo::getId).toList();
  }
}
