package io.kvdb.core.watch;

import static io.kvdb.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.leader.ShardEvents;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WatchHubTest {
  private final AtomicLong clock = new AtomicLong(1_000);

  /** A stream that records what it got; {@code ready} is switched by the test. */
  static final class Recorded implements WatchStream {
    final List<WatchResponse> got = new ArrayList<>();
    StatusRuntimeException ended;
    boolean ready = true;

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public void send(WatchResponse message) {
      got.add(message);
    }

    @Override
    public void end(StatusRuntimeException status) {
      ended = status;
    }

    List<Long> revisions() {
      return got.stream().filter(WatchResponse::hasEvent).map(m -> m.getEvent().getRevision()).collect(Collectors.toList());
    }

    List<Long> progress() {
      return got.stream().filter(WatchResponse::hasProgress).map(m -> m.getProgress().getRevision())
          .collect(Collectors.toList());
    }
  }

  private WatchHub hub(long floor, int history, int queue, int inbound) {
    return new WatchHub(floor, history, queue, inbound, 100, clock::get);
  }

  private static byte[] put(String key, long revision) {
    return Event.newBuilder().setKey(key).setRevision(revision).setPutValue(ByteString.copyFromUtf8("v" + revision))
        .build().toByteArray();
  }

  private static byte[] delete(String key, long revision) {
    return Event.newBuilder().setKey(key).setRevision(revision).setDelete(true).build().toByteArray();
  }

  private static ShardEvents shard(int shard, byte[]... entries) {
    return new ShardEvents(shard, ShardState.EMPTY, List.of(entries), 0);
  }

  private static WatchRequest prefix(String prefix, long from) {
    return WatchRequest.newBuilder().setPrefix(prefix).setFromRevision(from).build();
  }

  /** Writes one key per revision from..to, each batch alone, and dispatches. */
  private static void writes(WatchHub hub, String key, long from, long to) {
    for (long revision = from; revision <= to; revision++) {
      hub.publish(List.of(shard(0, put(key, revision))));
    }
    hub.dispatch();
  }

  @Test
  void changesComeInRevisionOrderAcrossShardsAndMatchTheirPrefixOrKey() {
    WatchHub hub = hub(0, 100, 100, 100);
    Recorded all = new Recorded();
    Recorded users = new Recorded();
    Recorded one = new Recorded();
    hub.watch(prefix("", 0), all);
    hub.watch(prefix("user/", 0), users);
    hub.watch(WatchRequest.newBuilder().setKey("user/2").build(), one);
    // One batch over two shards: each shard's events in seq order, revisions interleaved.
    hub.publish(List.of(shard(0, put("user/1", 1), delete("user/2", 3)), shard(1, put("other", 2), put("user/3", 4))));
    hub.dispatch();

    assertEquals(List.of(1L, 2L, 3L, 4L), all.revisions());
    assertEquals(List.of(1L, 3L, 4L), users.revisions());
    assertEquals(List.of(3L), one.revisions());
    assertEquals(WatchEvent.Type.DELETE, one.got.get(1).getEvent().getType());
    assertEquals(List.of(0L), all.progress(), "a new watch is told the current revision first");
  }

  @Test
  void aResumeFromTheLastRevisionSeenGetsEveryLaterChangeOnce() {
    WatchHub hub = hub(0, 100, 100, 100);
    Recorded first = new Recorded();
    hub.watch(prefix("k", 0), first);
    writes(hub, "k", 1, 5);
    long lastSeen = first.revisions().get(2); // the client saw 1..3, then its stream broke
    hub.cancel(first);
    writes(hub, "k", 6, 8);

    Recorded resumed = new Recorded();
    hub.watch(prefix("k", lastSeen), resumed);
    writes(hub, "k", 9, 10);
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L), resumed.revisions());
    assertEquals(3, hub.watchers() + 2, "the cancelled watch is gone");
  }

  @Test
  void aResumeOlderThanTheHistoryOrFromAnotherRunIsCompacted() {
    WatchHub hub = hub(100, 3, 100, 100); // the previous run's last write was revision 100
    writes(hub, "k", 101, 110); // keeps 108..110: a resume from 107 or later loses nothing

    Recorded ok = new Recorded();
    hub.watch(prefix("k", 107), ok);
    assertEquals(List.of(108L, 109L, 110L), ok.revisions());
    assertNull(ok.ended);
    for (long from : new long[] {106, 50, 111}) { // too old; before this run's history; never issued (lost tail)
      Recorded stale = new Recorded();
      hub.watch(prefix("k", from), stale);
      assertCode(stale, Status.Code.OUT_OF_RANGE, ErrorReasons.WATCH_COMPACTED);
      assertTrue(stale.got.isEmpty(), "nothing is sent before WATCH_COMPACTED");
    }

    WatchHub restored = hub(WatchHub.UNKNOWN, 3, 100, 100); // a restored or rebuilt data dir
    Recorded before = new Recorded();
    restored.watch(prefix("k", 100), before);
    assertCode(before, Status.Code.OUT_OF_RANGE, ErrorReasons.WATCH_COMPACTED);
    writes(restored, "k", 5000, 5001);
    Recorded after = new Recorded();
    restored.watch(prefix("k", 4999), after); // the history now starts at the run's first write
    assertEquals(List.of(5000L, 5001L), after.revisions());
  }

  @Test
  void aRunWithNoChangeYetStartsItsWatchesAtItsFloorAndAResumeFromThereLosesNothing() {
    for (WatchStart start : new WatchStart[] {new WatchStart(List.of(), 0, 4999), // a data dir never written
        new WatchStart(List.of(), WatchHub.UNKNOWN, 4999)}) { // a migrated one: earlier changes unknown
      WatchHub hub = new WatchHub(start, 10, 100, 100, 100, clock::get);
      Recorded fromNow = new Recorded();
      hub.watch(prefix("k", 0), fromNow);
      assertEquals(List.of(4999L), fromNow.progress(), "the first message is where the watch starts");
      hub.cancel(fromNow); // lost before any change
      writes(hub, "k", 5000, 5001);
      Recorded resumed = new Recorded();
      hub.watch(prefix("k", 4999), resumed);
      assertEquals(List.of(5000L, 5001L), resumed.revisions(), start.toString());
    }
  }

  @Test
  void aStalledWatcherIsCancelledWithItsQueueBoundedWhileOthersGetEverything() {
    WatchHub hub = hub(0, 10, 5, 1000);
    Recorded stalled = new Recorded();
    Recorded fast = new Recorded();
    hub.watch(prefix("", 0), stalled);
    hub.watch(prefix("", 0), fast);
    stalled.ready = false; // its transport's window is full: nothing more is sent to it
    for (long revision = 1; revision <= 500; revision++) {
      hub.publish(List.of(shard(0, put("k", revision))));
      if (revision % 50 == 0) {
        hub.dispatch();
      }
    }
    assertCode(stalled, Status.Code.RESOURCE_EXHAUSTED, ErrorReasons.WATCH_TOO_SLOW);
    assertEquals(500, fast.revisions().size());
    assertEquals(1, hub.watchers());
    // Resuming from what it saw (nothing) is now past the history of 10: it must re-list.
    Recorded again = new Recorded();
    hub.watch(prefix("", 1), again);
    assertCode(again, Status.Code.OUT_OF_RANGE, ErrorReasons.WATCH_COMPACTED);
  }

  @Test
  void aDispatcherFarBehindTheWriterDropsBatchesAndEndsEveryWatcher() {
    WatchHub hub = hub(0, 100, 100, 2);
    Recorded watcher = new Recorded();
    hub.watch(prefix("", 0), watcher);
    for (long revision = 1; revision <= 5; revision++) { // never blocks: 3 to 5 are dropped
      hub.publish(List.of(shard(0, put("k", revision))));
    }
    hub.dispatch();
    assertCode(watcher, Status.Code.RESOURCE_EXHAUSTED, ErrorReasons.WATCH_TOO_SLOW);
    assertEquals(List.of(1L, 2L), watcher.revisions());
    Recorded resumed = new Recorded();
    hub.watch(prefix("", 2), resumed);
    assertCode(resumed, Status.Code.OUT_OF_RANGE, ErrorReasons.WATCH_COMPACTED);
  }

  @Test
  void aWatchFromNowStartsAfterEveryCommittedBatchEvenOnesTheDispatcherHasNotTaken() {
    WatchHub hub = hub(0, 100, 100, 100);
    for (long revision = 1; revision <= 5; revision++) {
      hub.publish(List.of(shard(0, put("k", revision)))); // no watcher: the dispatcher is not woken for them
    }
    Recorded watcher = new Recorded();
    hub.watch(prefix("", 0), watcher);
    writes(hub, "k", 6, 6);

    assertEquals(List.of(5L), watcher.progress(), "it starts at the last committed revision");
    assertEquals(List.of(6L), watcher.revisions(), "and gets only what came after it");
  }

  @Test
  void withNoWatcherTheHistoryStillKeepsUpOnceEnoughBatchesAreQueued() throws Exception {
    // Progress every 1,000 s: the dispatcher's own round is far away, only the writer's wake-up can drain.
    WatchHub hub = new WatchHub(0, 10_000, 100, 4_096, 1_000_000, clock::get);
    Thread dispatcher = hub.start("test-watch");
    try {
      waitUntil(() -> dispatcher.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10),
          "the dispatcher's first round is done and it waits for the next");
      for (long revision = 1; revision <= WatchHub.WAKE_WITHOUT_WATCHERS; revision++) {
        hub.publish(List.of(shard(0, put("k", revision))));
      }
      waitUntil(() -> hub.currentRevision() >= WatchHub.WAKE_WITHOUT_WATCHERS, Duration.ofSeconds(10),
          "the dispatcher takes the queued batches");
      assertEquals(WatchHub.WAKE_WITHOUT_WATCHERS, hub.currentRevision(), "the dispatcher took the queued batches");
    } finally {
      dispatcher.interrupt();
      dispatcher.join(10_000);
    }
  }

  @Test
  void anIdleWatchGetsProgressWithTheCurrentRevisionEachInterval() {
    WatchHub hub = hub(0, 100, 100, 100);
    Recorded watcher = new Recorded();
    hub.watch(prefix("a", 0), watcher);
    writes(hub, "b", 1, 7); // not watched: the watch stays idle
    clock.addAndGet(99);
    hub.dispatch();
    assertEquals(List.of(0L), watcher.progress(), "not yet idle for 100 ms");
    clock.addAndGet(1);
    hub.dispatch();
    assertEquals(List.of(0L, 7L), watcher.progress());
    hub.dispatch();
    assertEquals(List.of(0L, 7L), watcher.progress(), "once per interval");
    clock.addAndGet(100);
    hub.dispatch();
    assertEquals(List.of(0L, 7L, 7L), watcher.progress());
  }

  @Test
  void withPrevEachChangeCarriesTheKeysPreviousValueWhileTheHistoryHoldsIt() {
    WatchHub hub = hub(0, 3, 100, 100);
    Recorded live = new Recorded();
    Recorded plain = new Recorded();
    hub.watch(WatchRequest.newBuilder().setPrefix("k").setPrev(true).build(), live);
    hub.watch(prefix("k", 0), plain);
    hub.publish(List.of(shard(0, put("k1", 1), put("k1", 2), delete("k1", 3), put("k1", 4))));
    hub.dispatch();
    writes(hub, "k2", 5, 7); // k1's last change (4) leaves the history of 3
    hub.publish(List.of(shard(0, put("k1", 8))));
    hub.dispatch();

    List<WatchEvent> got = live.got.stream().filter(WatchResponse::hasEvent).map(WatchResponse::getEvent).toList();
    assertEquals(List.of(0L, 1L, 2L, 0L, 0L, 5L, 6L, 0L), got.stream().map(WatchEvent::getPrevVersion).toList(),
        "none for a new key, a deleted one, or one whose previous change left the history");
    assertEquals("v1", got.get(1).getPrevValue().toStringUtf8());
    assertEquals("v2", got.get(2).getPrevValue().toStringUtf8(), "a delete carries the value it removed");
    assertTrue(plain.got.stream().filter(WatchResponse::hasEvent)
        .allMatch(m -> m.getEvent().getPrevVersion() == 0 && m.getEvent().getPrevValue().isEmpty()),
        "a watch without prev gets none");

    Recorded resumed = new Recorded();
    hub.watch(WatchRequest.newBuilder().setPrefix("k").setFromRevision(6).setPrev(true).build(), resumed);
    assertEquals(List.of(7L, 8L), resumed.revisions());
    assertEquals(6L, resumed.got.get(0).getEvent().getPrevVersion(), "a replay carries them as the live stream did");
    assertEquals(0L, resumed.got.get(1).getEvent().getPrevVersion());
  }

  private static void assertCode(Recorded stream, Status.Code code, String reason) {
    assertTrue(stream.ended != null, "the stream was ended");
    assertEquals(code, stream.ended.getStatus().getCode(), stream.ended.toString());
    assertTrue(ErrorReasons.hasReason(stream.ended, reason), stream.ended.toString());
  }
}
