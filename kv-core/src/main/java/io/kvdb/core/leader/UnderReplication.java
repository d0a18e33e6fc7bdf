package io.kvdb.core.leader;

import java.util.ArrayList;
import java.util.List;

/**
 * Per shard, how many followers hold it caught up; a shard with fewer than R is under-replicated
 * (cluster.proto's {@code under_replicated_shards}). A holder is caught up on a shard when it is
 * alive and {@link Member#ready ready} there (assigned, acked at that assignment, not syncing), and
 * its acked applied seq is at the head or its first un-applied write is within the ack window.
 * Filled by {@link FollowerProgress#info} for one Cluster.Status; not thread-safe.
 */
final class UnderReplication {
  /**
   * How old a holder's first un-applied write may be for it to count as caught up still: under a
   * steady load a holder is always a few writes behind, by the time an ack takes to arrive.
   */
  static final long ACK_WINDOW_MS = 1_000;

  private final int[] caughtUp;

  UnderReplication(int shards) {
    this.caughtUp = new int[shards];
  }

  static boolean withinAckWindow(long lagMs) {
    return lagMs <= ACK_WINDOW_MS;
  }

  /** One more follower holds {@code shard} caught up. */
  void caughtUp(int shard) {
    caughtUp[shard]++;
  }

  /** The shards with fewer than {@code replicationFactor} caught-up holders, in shard order. */
  List<Integer> below(int replicationFactor) {
    List<Integer> shards = new ArrayList<>();
    for (int shard = 0; shard < caughtUp.length; shard++) {
      if (caughtUp[shard] < replicationFactor) {
        shards.add(shard);
      }
    }
    return shards;
  }
}
