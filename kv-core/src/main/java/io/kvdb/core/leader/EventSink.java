package io.kvdb.core.leader;

import io.kvdb.replication.v1.Event;
import java.util.List;

/**
 * Receives committed events from the leader's writer thread, in commit order, after their batch is
 * on disk. Implementations must not block: they hand the events to the thread that owns the PUB
 * socket.
 */
@FunctionalInterface
public interface EventSink {
  EventSink NONE = events -> {};

  void publish(List<Event> events);
}
