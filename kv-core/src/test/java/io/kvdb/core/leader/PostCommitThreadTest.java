package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.process.Supervisor;
import io.kvdb.core.storage.ShardState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one thread after a commit: the sink's publish and ticks, then the answers, in commit order. */
@Timeout(30)
class PostCommitThreadTest {
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final Supervisor supervisor = new Supervisor("test", exit::complete);
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

  private static List<ShardEvents> events(int shard) {
    return List.of(new ShardEvents(shard, ShardState.EMPTY, List.of(new byte[] {1}), 0));
  }

  @Test
  void eachBatchIsPublishedThenAnsweredOnTheOneThreadInCommitOrder() {
    EventSink sink = batch -> seen.add("publish " + batch.get(0).shard() + " on " + Thread.currentThread().getName());
    PostCommitThread thread = new PostCommitThread(sink, System::currentTimeMillis, supervisor);
    for (int shard = 0; shard < 3; shard++) {
      int batch = shard;
      thread.committed(events(shard), () -> seen.add("answer " + batch + " on " + Thread.currentThread().getName()));
    }
    thread.committed(List.of(), () -> seen.add("answer of a batch without events"));
    thread.close(); // publishes and answers what is queued

    assertEquals(List.of(
        "publish 0 on kv-committed", "answer 0 on kv-committed",
        "publish 1 on kv-committed", "answer 1 on kv-committed",
        "publish 2 on kv-committed", "answer 2 on kv-committed",
        "answer of a batch without events"), seen);
    assertFalse(exit.isDone(), "the thread ended as asked, not by dying");
  }

  @Test
  void theSinkTicksWithNoCommitAtTheIntervalItAsksByTheInjectedClock() throws Exception {
    AtomicLong clock = new AtomicLong(1_000);
    List<Long> tickedAt = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch ticks = new CountDownLatch(4);
    EventSink sink = new EventSink() {
      @Override
      public void publish(List<ShardEvents> batch) {}

      @Override
      public long tick(long nowMs) {
        tickedAt.add(nowMs);
        ticks.countDown();
        return 30;
      }
    };
    PostCommitThread thread = new PostCommitThread(sink, clock::get, supervisor);
    try {
      // After the first tick the clock moves 10 ms at a time until four ticks came (bounded: 10,000 steps).
      for (int step = 0; step < 10_000 && !ticks.await(2, TimeUnit.MILLISECONDS); step++) {
        if (!tickedAt.isEmpty()) {
          clock.addAndGet(10);
        }
      }
      assertEquals(0, ticks.getCount(), "ticks while no batch comes");
    } finally {
      thread.close();
    }
    List<Long> first = List.copyOf(tickedAt).subList(0, 4);
    assertEquals(1_000L, first.get(0), "a tick at start");
    for (int i = 1; i < first.size(); i++) {
      assertTrue(first.get(i) - first.get(i - 1) >= 30, "a tick before the 30 ms the sink asked: " + first);
    }
  }
}
