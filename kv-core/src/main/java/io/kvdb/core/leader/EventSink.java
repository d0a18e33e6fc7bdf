package io.kvdb.core.leader;

import java.util.List;

/**
 * Receives committed events, in commit order, after their batch is on disk: one {@link ShardEvents}
 * per shard the batch wrote. Both methods run on the leader's one post-commit thread
 * ("kv-committed"), which publishes each batch and then answers its writes: so a sink may own a
 * socket (the PUB socket) without a thread of its own, and a commit wakes one thread, not one per
 * sink. Implementations must not block: the next batch's replies wait behind them.
 */
@FunctionalInterface
public interface EventSink {
  EventSink NONE = batch -> {};

  void publish(List<ShardEvents> batch);

  /**
   * Periodic work at {@code nowMs} (the leader's monotonic clock), between batches, such as
   * heartbeats; returns how many ms until it is due again.
   */
  default long tick(long nowMs) {
    return Long.MAX_VALUE;
  }

  /** Publishes to {@code first}, then to {@code second}; ticks both. */
  static EventSink both(EventSink first, EventSink second) {
    return new EventSink() {
      @Override
      public void publish(List<ShardEvents> batch) {
        first.publish(batch);
        second.publish(batch);
      }

      @Override
      public long tick(long nowMs) {
        return Math.min(first.tick(nowMs), second.tick(nowMs));
      }
    };
  }
}
