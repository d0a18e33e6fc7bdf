package io.kvdb.core.leader;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import java.util.HashMap;
import java.util.Map;

/**
 * How much of each shard's backlog (its log of replication events, which followers catch up from)
 * the leader keeps: the last {@code eventsPerShard} events, and every event from a seq that a
 * snapshot install pinned. The writer thread owns it: it adds the trims to the batch that moves a
 * shard's head, and the trims count only once that batch is committed.
 */
final class BacklogRetention {
  private final int eventsPerShard;
  private final BacklogPins pins;
  /** The lowest seq still in each shard's backlog, as committed. */
  private final long[] oldestLogSeq;

  /** Reads where each shard's backlog starts in {@code store}. */
  BacklogRetention(KvStore store, int shards, int eventsPerShard, BacklogPins pins) {
    this.eventsPerShard = eventsPerShard;
    this.pins = pins;
    this.oldestLogSeq = new long[shards];
    for (int shard = 0; shard < shards; shard++) {
      long oldest = store.oldestLogSeq(shard);
      oldestLogSeq[shard] = oldest == 0 ? store.shardState(shard).seq() + 1 : oldest;
    }
  }

  /**
   * Adds to {@code batch} the deletes of the log entries that the shards' new {@code heads} leave
   * outside the retention, sparing what a snapshot install pinned. Call {@link Trim#committed()}
   * on the result once the batch is committed: had the commit failed, the entries would still be
   * on disk, and the next batch trims them.
   */
  Trim trim(Map<Integer, ShardState> heads, StoreBatch batch) {
    Trim trim = new Trim();
    heads.forEach((shard, head) -> trim.oldestAfterCommit.put(shard, trimShard(shard, head.seq(), batch)));
    return trim;
  }

  /** The shard's oldest log seq once the batch is committed. */
  private long trimShard(int shard, long headSeq, StoreBatch batch) {
    long pinned = pins.lowestPinned(shard);
    long keepFrom = headSeq - eventsPerShard + 1;
    if (pinned != Long.MAX_VALUE) {
      // The pinned entry itself stays: a catch-up from that seq checks its epoch.
      keepFrom = Math.min(keepFrom, pinned);
    }
    long oldest = oldestLogSeq[shard];
    while (oldest < keepFrom) {
      batch.deleteLog(shard, oldest++);
    }
    return oldest;
  }

  /** The trims one batch holds, in effect once it is committed. */
  final class Trim {
    private final Map<Integer, Long> oldestAfterCommit = new HashMap<>();

    private Trim() {}

    /** The batch is committed: its trims are gone from the disk. */
    void committed() {
      oldestAfterCommit.forEach((shard, oldest) -> oldestLogSeq[shard] = oldest);
    }
  }
}
