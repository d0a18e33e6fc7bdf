package io.kvdb.core.watch;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchProgress;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.ShardEvents;
import io.kvdb.replication.v1.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans the leader's committed changes out to watchers. The writer thread only appends its batches to
 * a lock-free inbound queue ({@link #publish}, bounded by {@code inboundBatches}: past that the
 * batches are dropped and every watcher is ended WATCH_TOO_SLOW); the dispatcher thread
 * ({@link #dispatch}) decodes them, keeps the last {@code historyEvents} changes to resume from and
 * queues each change to the watchers it matches. A watcher with more than {@code queueEvents}
 * unsent is ended WATCH_TOO_SLOW, so memory stays bounded however slow a watcher is. With no watcher
 * open the writer does not wake the dispatcher per batch (a wake-up and a context switch per commit,
 * for nobody): the batches wait for its next round or for {@link #WAKE_WITHOUT_WATCHERS} of them,
 * and a new watch takes what is queued before it starts.
 */
public final class WatchHub implements EventSink {
  /** A floor for a run whose earlier revisions are unknown: no resume from before it. */
  public static final long UNKNOWN = -1;
  private static final Logger log = LoggerFactory.getLogger(WatchHub.class);
  /** Queued batches at which the writer wakes the dispatcher although no watcher is open: the history keeps up. */
  static final int WAKE_WITHOUT_WATCHERS = 256;

  private final int historyEvents;
  private final int queueEvents;
  private final int inboundBatches;
  private final long progressMs;
  private final LongSupplier clockMs;
  private final ConcurrentLinkedQueue<List<ShardEvents>> inbound = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inboundSize = new AtomicInteger();
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final Set<Watcher> watchers = new CopyOnWriteArraySet<>();
  private final WatchHistory history; // guarded by this
  private volatile Thread dispatcher;

  /** A hub whose history starts as {@code start} says (read from the backlogs). */
  public WatchHub(WatchStart start, int historyEvents, int queueEvents, int inboundBatches, long progressMs,
      LongSupplier clockMs) {
    this.historyEvents = historyEvents;
    this.queueEvents = queueEvents;
    this.inboundBatches = inboundBatches;
    this.progressMs = progressMs;
    this.clockMs = clockMs;
    this.history = new WatchHistory(start, historyEvents);
  }

  /** A hub with no history before {@code floor}, the last revision written before it ({@link #UNKNOWN}: unknown). */
  public WatchHub(long floor, int historyEvents, int queueEvents, int inboundBatches, long progressMs,
      LongSupplier clockMs) {
    this(new WatchStart(List.of(), floor, floor), historyEvents, queueEvents, inboundBatches, progressMs, clockMs);
  }

  /** A replication event as a watch event. */
  static WatchEvent change(Event event) {
    WatchEvent.Builder change = WatchEvent.newBuilder().setKey(event.getKey()).setRevision(event.getRevision());
    if (event.hasPutValue()) {
      change.setType(WatchEvent.Type.PUT).setValue(event.getPutValue()).setExpiresAtMs(event.getExpiresAtMs());
    } else {
      change.setType(WatchEvent.Type.DELETE);
    }
    return change.build();
  }

  /** On the writer thread: never blocks, never locks. */
  @Override
  public void publish(List<ShardEvents> batch) {
    if (dropping.get()) {
      return;
    }
    if (inboundSize.incrementAndGet() > inboundBatches) {
      inboundSize.decrementAndGet();
      dropping.set(true);
    } else {
      inbound.add(batch);
    }
    Thread thread = dispatcher;
    if (thread != null && (!watchers.isEmpty() || inboundSize.get() >= WAKE_WITHOUT_WATCHERS || dropping.get())) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * Starts a watch: replays the kept changes after its revision (with their previous values if it
   * asks for them), then a progress notification with the revision it is at; or ends it
   * WATCH_COMPACTED. A watch from now thus gets first the revision it starts from.
   */
  public void watch(WatchRequest request, WatchStream stream) {
    Watcher watcher = new Watcher(request.getKey(), request.getPrefix(), request.getPrev(), stream,
        clockMs.getAsLong());
    long from = request.getFromRevision();
    synchronized (this) {
      // What is committed and queued counts as history already: a watch from now starts after it.
      takeInbound();
      if (from != 0 && !history.resumes(from)) {
        watcher.end(ErrorReasons.withReason(Code.OUT_OF_RANGE, ErrorReasons.WATCH_COMPACTED,
            history.compactedMessage(from)));
        return;
      }
      if (from != 0) {
        history.replay(from, watcher::matches, watcher.wantsPrev(),
            event -> watcher.enqueue(WatchResponse.newBuilder().setEvent(event).build()));
      }
      watcher.enqueue(progress());
      watchers.add(watcher);
    }
    watcher.flush(clockMs.getAsLong());
  }

  /** Stops sending to {@code stream} (the client went away). */
  public void cancel(WatchStream stream) {
    watchers.removeIf(watcher -> watcherOf(watcher, stream));
  }

  private static boolean watcherOf(Watcher watcher, WatchStream stream) {
    return watcher.streamIs(stream);
  }

  /** Sends what {@code stream}'s watcher has queued (its transport became ready). */
  public void onReady(WatchStream stream) {
    long now = clockMs.getAsLong();
    for (Watcher watcher : watchers) {
      if (watcher.streamIs(stream)) {
        watcher.flush(now);
      }
    }
  }

  /** On the dispatcher thread: takes every queued batch, then sends due progress notifications. */
  public void dispatch() {
    takeInbound();
    long now = clockMs.getAsLong();
    for (Watcher watcher : watchers) {
      if (watcher.idleFor(now, progressMs)) {
        synchronized (this) {
          watcher.enqueue(progress());
        }
      }
      watcher.flush(now);
    }
  }

  /** Fans out every queued batch, in commit order (under the lock: a new watch takes them too). */
  private synchronized void takeInbound() {
    for (List<ShardEvents> batch; (batch = inbound.poll()) != null; ) {
      inboundSize.decrementAndGet();
      fanOut(decode(batch));
    }
    if (dropping.get()) {
      overflowed();
    }
  }

  private List<WatchEvent> decode(List<ShardEvents> batch) {
    List<WatchEvent> events = new ArrayList<>();
    for (ShardEvents shard : batch) {
      for (byte[] entry : shard.entries()) {
        try {
          events.add(change(Event.parseFrom(entry)));
        } catch (InvalidProtocolBufferException e) {
          log.error("a committed event of shard {} does not parse, not sent to watchers: {}", shard.shard(), e.toString());
        }
      }
    }
    // One batch writes several shards; its revisions interleave across them.
    events.sort(Comparator.comparingLong(WatchEvent::getRevision));
    return events;
  }

  private synchronized void fanOut(List<WatchEvent> events) {
    long now = clockMs.getAsLong();
    for (WatchEvent event : events) {
      WatchEvent withPrev = history.add(event);
      WatchResponse plain = null;
      WatchResponse prev = null;
      for (Watcher watcher : watchers) {
        if (!watcher.matches(event.getKey())) {
          continue;
        }
        if (watcher.queued() >= queueEvents) {
          tooSlow(watcher, "the watcher has " + queueEvents + " changes unsent (--watch-queue-events)");
          continue;
        }
        WatchResponse message;
        if (watcher.wantsPrev()) {
          message = prev != null ? prev : (prev = WatchResponse.newBuilder().setEvent(withPrev).build());
        } else {
          message = plain != null ? plain : (plain = WatchResponse.newBuilder().setEvent(event).build());
        }
        watcher.enqueue(message);
        watcher.flush(now);
      }
    }
  }

  /** Batches were dropped: no watcher can go on without a gap, and the history has one. */
  private synchronized void overflowed() {
    for (Watcher watcher : watchers) {
      tooSlow(watcher, "the leader's watch dispatcher fell " + inboundBatches + " batches behind the writer");
    }
    history.gap();
    dropping.set(false);
  }

  private void tooSlow(Watcher watcher, String why) {
    watchers.remove(watcher);
    watcher.end(ErrorReasons.withReason(Code.RESOURCE_EXHAUSTED, ErrorReasons.WATCH_TOO_SLOW,
        why + "; watch again from the last revision received"));
  }

  private WatchResponse progress() {
    return WatchResponse.newBuilder().setProgress(WatchProgress.newBuilder().setRevision(history.current())).build();
  }

  /** The last revision dispatched. */
  public synchronized long currentRevision() {
    return history.current();
  }

  /** The number of open watches. */
  public int watchers() {
    return watchers.size();
  }

  /** Runs {@link #dispatch} on a daemon thread until it is interrupted. */
  public Thread start(String name) {
    Thread thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        dispatch();
        LockSupport.parkNanos(Math.max(1, progressMs / 4) * 1_000_000L);
      }
    }, name);
    thread.setDaemon(true);
    dispatcher = thread;
    thread.start();
    return thread;
  }
}
