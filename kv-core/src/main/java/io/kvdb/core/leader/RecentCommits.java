package io.kvdb.core.leader;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The commit times of each shard's newest published writes, in memory: a ring of slots per shard,
 * indexed by seq, {@link #SLOTS} slots in all (1 MiB) however many shards there are: 1,024 per shard
 * at the default 64 shards, fewer with more shards (whose writes then spread over more rings). The
 * thread that publishes events fills it as
 * it sends them (not the writer thread, which gets no new work); the control thread reads it when
 * an ack comes, to time the replication lag without reading the backlog from the data dir.
 *
 * <p>One writer and any readers, without locks: a slot's seq is cleared before its time is set and
 * written after it, so a reader that sees the same seq before and after reading the time has the
 * time of that seq.
 */
public final class RecentCommits {
  /** Slots over all shards. */
  static final int SLOTS = 65_536;
  /** At most this many per shard: at 7,500 writes/s over 64 shards, about 8 s of each shard's writes. */
  static final int MAX_PER_SHARD = 1024;
  private static final long EMPTY = -1;

  private final int shards;
  /** A power of two, so that a seq's slot is a mask away. */
  private final int perShard;
  private final AtomicLongArray seqs;
  private final AtomicLongArray times;

  public RecentCommits(int shards) {
    this.shards = shards;
    this.perShard = Math.min(MAX_PER_SHARD, Integer.highestOneBit(Math.max(1, SLOTS / Math.max(1, shards))));
    this.seqs = new AtomicLongArray(shards * perShard);
    this.times = new AtomicLongArray(shards * perShard);
    for (int i = 0; i < seqs.length(); i++) {
      seqs.set(i, EMPTY);
    }
  }

  /** {@code seq} of {@code shard} was committed at {@code commitTimeMs}; called by one thread only. */
  public void published(int shard, long seq, long commitTimeMs) {
    if (shard < 0 || shard >= shards) {
      return;
    }
    int slot = slot(shard, seq);
    seqs.set(slot, EMPTY);
    times.set(slot, commitTimeMs);
    seqs.set(slot, seq);
  }

  /** The commit time of {@code seq} of {@code shard}, or -1 when it is not (or no longer) held. */
  long committedAtMs(int shard, long seq) {
    if (shard < 0 || shard >= shards || seq < 0) {
      return -1;
    }
    int slot = slot(shard, seq);
    if (seqs.get(slot) != seq) {
      return -1;
    }
    long time = times.get(slot);
    return seqs.get(slot) == seq ? time : -1;
  }

  private int slot(int shard, long seq) {
    return shard * perShard + (int) (seq & (perShard - 1));
  }
}
