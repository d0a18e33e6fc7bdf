package io.kvdb.core.leader;

import java.util.List;

/**
 * Receives committed events from the leader's writer thread, in commit order, after their batch is
 * on disk: one {@link ShardEvents} per shard the batch wrote. Implementations must neither block nor
 * take a lock: they hand the events to the thread that owns the PUB socket.
 */
@FunctionalInterface
public interface EventSink {
  EventSink NONE = batch -> {};

  void publish(List<ShardEvents> batch);
}
