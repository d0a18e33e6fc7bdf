package io.kvdb.follower;

import io.kvdb.replication.v1.Event;
import java.util.ArrayDeque;
import java.util.Deque;

/** Where the follower is in syncing one assigned shard. Owned by the replication thread. */
final class ShardSync {
  /** Live events kept while catching up; past this, they are dropped and caught up from the backlog. */
  static final int MAX_BUFFERED = 10_000;

  enum Mode {
    /** Waiting for a catch-up reply from the backlog. */
    CATCHING_UP,
    /** Pulling a snapshot, chunk by chunk. */
    INSTALLING,
    /** Applying live events as they come. */
    LIVE
  }

  final int shard;
  Mode mode = Mode.CATCHING_UP;
  /** Leader clock is not ours: this is our monotonic ms when the pending request was sent. */
  long requestedAtMs;
  long snapshotId;
  long snapshotKeys;
  /** Events applied from the backlog since the shard last went live, for the log. */
  long caughtUpEvents;
  /** Set when the data may not match its digest: the next sync is a snapshot, not a catch-up. */
  boolean suspect;
  final Deque<Event> buffered = new ArrayDeque<>();

  ShardSync(int shard) {
    this.shard = shard;
  }

  void buffer(Event event) {
    if (buffered.size() >= MAX_BUFFERED) {
      buffered.clear(); // the replay will find the gap and catch up from the backlog
    }
    buffered.add(event);
  }
}
