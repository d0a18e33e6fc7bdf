package io.kvdb.core.follower;

import io.kvdb.core.config.Limits;
import java.util.Set;

/**
 * What the replication thread tells the rest of the follower (gRPC, metrics, health): immutable
 * snapshots swapped in whole, so readers on other threads never see half an update.
 *
 * @param state connecting, syncing, live, refused or failed
 * @param reason why the leader was refused, or why the follower failed (empty otherwise)
 * @param shards the cluster's shard count as the data dir knows it (0 before a new data dir's first welcome)
 * @param assigned shards placed on this follower
 * @param live assigned shards that are caught up and verified with a live leader: the only ones
 *     served to reads that do not allow stale answers
 * @param readable shards held as complete copies, live or not (live is a subset): served to reads
 *     that allow stale answers. A shard leaves it before anything could make its data incomplete
 *     (a snapshot install, a drop or wipe, a known gap, suspect data)
 * @param withdrawals how many times a shard left {@code live} or {@code readable} so far: a read
 *     that saw the same count before and after it read the data read data that the view still
 *     vouches for
 * @param limits the leader's limits, which reads are served with (the defaults before a welcome)
 */
public record FollowerView(String id, String leaderId, long leaderEpoch, String state, String reason,
    long assignmentVersion, int shards, Set<Integer> assigned, Set<Integer> live, Set<Integer> readable,
    long withdrawals, Limits limits) {

  /** Before the first word from the leader: nothing is served. */
  public static FollowerView connecting(String id, int shards) {
    return new FollowerView(id, "", 0, "connecting", "", 0, shards, Set.of(), Set.of(), Set.of(), 0, Limits.DEFAULT);
  }

  /**
   * This view with every shard withdrawn, for a follower that can no longer keep them in sync (its
   * replication thread died, perhaps on its data dir): not even a stale copy is vouched for.
   */
  public FollowerView failed(String why) {
    return new FollowerView(id, leaderId, leaderEpoch, "failed", why, assignmentVersion, shards, assigned, Set.of(),
        Set.of(), withdrawals + 1, limits);
  }
}
