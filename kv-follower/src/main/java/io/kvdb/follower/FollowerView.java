package io.kvdb.follower;

import java.util.Set;

/**
 * What the replication thread tells the rest of the follower (gRPC, metrics): immutable snapshots
 * swapped in whole, so readers on other threads never see half an update.
 *
 * @param state connecting, syncing, live or refused
 * @param shards the cluster's shard count (0 before the first hello)
 * @param assigned shards placed on this follower
 * @param live assigned shards that are caught up and verified: only these are served
 */
record FollowerView(String id, String leaderId, long leaderEpoch, String state, String reason,
    long assignmentVersion, int shards, Set<Integer> assigned, Set<Integer> live) {

  static FollowerView connecting(String id, int shards) {
    return new FollowerView(id, "", 0, "connecting", "", 0, shards, Set.of(), Set.of());
  }
}
