package io.kvdb.core.leader;

import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Event;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * When a write was committed, on this leader run's monotonic clock, as read from the backlog: each
 * event carries the commit time the writer stamped on it. That stamp is a monotonic value of the
 * run that wrote it, meaningless in another run, so a write of an earlier run (another epoch)
 * counts as committed when this run started: after a restart, lag counts from the restart. The
 * stamp is taken as the batch is built, before its sync, so a time read here is earlier than the
 * commit by up to one sync (a few ms): good enough for a lag that grows with a follower that is behind,
 * while the lag histogram takes the exact time from {@link RecentCommits}.
 *
 * <p>Each shard keeps its last answer: a follower that is behind is asked about the same seq on
 * every status call until it applies more (a fresh follower's 64 shards on every poll while it
 * installs), and each read is a seek into the backlog's tables. An event never changes once
 * written, so the answer for a seq stays true; used from any thread.
 */
final class CommitTimes {
  private final KvStore store;
  private final long epoch;
  private final long runStartedMs;
  private final AtomicReferenceArray<Answer> lastAnswers;

  /** The commit time found for a seq. */
  private record Answer(long seq, long committedAtMs) {}

  CommitTimes(KvStore store, int shards, long epoch, long runStartedMs) {
    this.store = store;
    this.epoch = epoch;
    this.runStartedMs = runStartedMs;
    this.lastAnswers = new AtomicReferenceArray<>(shards);
  }

  /**
   * The commit time of {@code seq} in {@code shard}. A seq the backlog no longer holds gets the
   * time of the oldest one it holds after it: the real one was earlier, so the lag is at least that.
   */
  long committedAtMs(int shard, long seq) {
    Answer last = lastAnswers.get(shard);
    if (last != null && last.seq() == seq) {
      return last.committedAtMs();
    }
    Event[] first = {null};
    store.forEachLog(shard, seq, (at, bytes) -> {
      first[0] = CatchUpSource.parse(bytes);
      return false;
    });
    if (first[0] == null) {
      return runStartedMs; // not written yet: nothing to keep
    }
    long committedAtMs = first[0].getEpoch() == epoch ? first[0].getCommitTimeMs() : runStartedMs;
    lastAnswers.set(shard, new Answer(seq, committedAtMs));
    return committedAtMs;
  }
}
