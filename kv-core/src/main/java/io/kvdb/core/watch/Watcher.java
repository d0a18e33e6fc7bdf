package io.kvdb.core.watch;

import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.WatchResponse;
import java.util.ArrayDeque;

/** One watcher: its filter, its bounded queue of messages not yet sent, and when it last got one. */
final class Watcher {
  private final String key;
  private final String prefix;
  private final boolean prev;
  private final WatchStream stream;
  private final ArrayDeque<WatchResponse> queue = new ArrayDeque<>();
  private long lastSentMs;
  private boolean ended;

  Watcher(String key, String prefix, boolean prev, WatchStream stream, long nowMs) {
    this.key = key;
    this.prefix = prefix;
    this.prev = prev;
    this.stream = stream;
    this.lastSentMs = nowMs;
  }

  boolean streamIs(WatchStream other) {
    return stream == other;
  }

  boolean matches(String changed) {
    return key.isEmpty() ? changed.startsWith(prefix) : key.equals(changed);
  }

  /** Whether its changes carry their previous values. */
  boolean wantsPrev() {
    return prev;
  }

  synchronized int queued() {
    return queue.size();
  }

  synchronized void enqueue(WatchResponse message) {
    if (!ended) {
      queue.add(message);
    }
  }

  /** Sends what the stream takes now; called by the dispatcher and by the stream's on-ready callback. */
  synchronized void flush(long nowMs) {
    while (!ended && !queue.isEmpty() && stream.ready()) {
      stream.send(queue.poll());
      lastSentMs = nowMs;
    }
  }

  /** True when nothing waits and nothing was sent for {@code idleMs}. */
  synchronized boolean idleFor(long nowMs, long idleMs) {
    return queue.isEmpty() && nowMs - lastSentMs >= idleMs;
  }

  /** Ends the stream once; drops what was queued (the client resumes from what it saw). */
  synchronized void end(StatusRuntimeException status) {
    if (!ended) {
      ended = true;
      queue.clear();
      stream.end(status);
    }
  }

  synchronized boolean ended() {
    return ended;
  }
}
