package io.kvdb.core.watch;

import io.kvdb.api.v1.WatchEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The changes a leader keeps to resume watches from: the last {@code capacity} (the history),
 * lowest revision first, and the revision below which a resume is compacted (every change above
 * it is kept). It also knows each kept key's last change, which is where a change's previous value
 * comes from: a change whose key's previous change is older than the history (or was a delete) has
 * none. Not thread-safe: the {@link WatchHub} guards it.
 */
final class WatchHistory {
  private final int capacity;
  private final ArrayDeque<WatchEvent> events = new ArrayDeque<>();
  private final Map<String, WatchEvent> lastOfKey = new HashMap<>();
  /** {@link Long#MAX_VALUE}: no revision resumes (the earlier changes are unknown). */
  private long compactedBelow;
  private long current;

  WatchHistory(WatchStart start, int capacity) {
    this.capacity = capacity;
    long floor = Math.max(start.runFloor(), 0);
    if (start.compactedBelow() == WatchHub.UNKNOWN) {
      // The earlier changes are unknown, but every one of this run lies above its floor.
      this.compactedBelow = floor > 0 ? floor : Long.MAX_VALUE;
      this.current = floor;
    } else {
      // With no change kept, a watch starts at the floor: a resume from it gets all of this run's.
      this.compactedBelow = start.compactedBelow();
      this.current = Math.max(start.compactedBelow(), floor);
    }
    for (WatchEvent event : start.events()) {
      add(event);
    }
  }

  /** Keeps {@code event} (the next revision); returns it with its key's previous value, if kept. */
  WatchEvent add(WatchEvent event) {
    if (compactedBelow == Long.MAX_VALUE && events.isEmpty()) {
      // The first change after a gap (an unknown past, batches dropped): the history starts here.
      compactedBelow = event.getRevision() - 1;
    }
    WatchEvent withPrev = withPrevious(event, lastOfKey.put(event.getKey(), event));
    events.addLast(event);
    current = event.getRevision();
    if (events.size() > capacity) {
      WatchEvent oldest = events.removeFirst();
      compactedBelow = oldest.getRevision();
      lastOfKey.remove(oldest.getKey(), oldest);
    }
    return withPrev;
  }

  private static WatchEvent withPrevious(WatchEvent event, WatchEvent previous) {
    if (previous == null || previous.getType() != WatchEvent.Type.PUT) {
      return event;
    }
    return event.toBuilder().setPrevValue(previous.getValue()).setPrevVersion(previous.getRevision()).build();
  }

  /** Whether a watch from {@code from} (not 0) gets every later change from here. */
  boolean resumes(long from) {
    return from >= compactedBelow && from <= current;
  }

  /** Gives {@code to} the kept changes after {@code from} whose key {@code matches}, with previous values if {@code prev}. */
  void replay(long from, Predicate<String> matches, boolean prev, Consumer<WatchEvent> to) {
    Map<String, WatchEvent> last = new HashMap<>();
    for (WatchEvent event : events) {
      if (!matches.test(event.getKey())) {
        continue;
      }
      WatchEvent previous = last.put(event.getKey(), event);
      if (event.getRevision() > from) {
        to.accept(prev ? withPrevious(event, previous) : event);
      }
    }
  }

  /** Forgets every change: the next one starts a new history (batches were dropped before it). */
  void gap() {
    events.clear();
    lastOfKey.clear();
    compactedBelow = Long.MAX_VALUE;
  }

  /** The last revision kept (or known to be the latest). */
  long current() {
    return current;
  }

  String compactedMessage(long from) {
    if (compactedBelow == Long.MAX_VALUE) {
      return "revision " + from + " is not in this leader's watch history (it started on a migrated, restored"
          + " or rebuilt data dir): list again and watch from the revision read";
    }
    return "revision " + from + " is not in the watch history (it holds " + compactedBelow + " to " + current
        + "; after a restore, a rebuild or a lost tail a later one may be gone too): list again and watch from the"
        + " revision read";
  }
}
