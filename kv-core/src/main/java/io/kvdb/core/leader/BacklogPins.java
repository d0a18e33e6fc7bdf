package io.kvdb.core.leader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seqs below which the writer must not trim a shard's backlog: a follower installing a snapshot
 * taken at seq n needs the events after n once the install ends, and the entry at n itself, whose
 * epoch its catch-up request is checked against.
 */
public final class BacklogPins {
  private final Map<Long, Pin> pins = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  private record Pin(int shard, long seq) {}

  /** Keeps events with seq >= {@code seq} of {@code shard} until {@link #release}; returns the pin id. */
  public long pin(int shard, long seq) {
    long id = ids.incrementAndGet();
    pins.put(id, new Pin(shard, seq));
    return id;
  }

  public void release(long id) {
    pins.remove(id);
  }

  /** Pins held now, over all shards. */
  public int size() {
    return pins.size();
  }

  /** The lowest pinned seq of a shard, or Long.MAX_VALUE when nothing pins it. */
  public long lowestPinned(int shard) {
    long lowest = Long.MAX_VALUE;
    for (Pin pin : pins.values()) {
      if (pin.shard() == shard) {
        lowest = Math.min(lowest, pin.seq());
      }
    }
    return lowest;
  }
}
