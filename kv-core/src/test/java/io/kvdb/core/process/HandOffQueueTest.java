package io.kvdb.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lock-free hand-off: a waiting consumer is woken, nothing is lost, timeouts and interrupts end a wait. */
@Timeout(60)
class HandOffQueueTest {
  private final HandOffQueue<Integer> queue = new HandOffQueue<>();

  @Test
  void aWaitOnAnEmptyQueueEndsAtItsTimeout() throws Exception {
    long started = System.nanoTime();
    assertNull(queue.poll(30, TimeUnit.MILLISECONDS));
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(30));
  }

  @Test
  void aWaitingConsumerIsWokenByAnAdd() throws Exception {
    CompletableFuture<Integer> taken = new CompletableFuture<>();
    Thread consumer = new Thread(() -> {
      try {
        taken.complete(queue.poll(1, TimeUnit.HOURS));
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    consumer.start();
    while (consumer.getState() != Thread.State.TIMED_WAITING) { // parked in poll
      Thread.onSpinWait();
    }
    queue.add(7);
    assertEquals(7, taken.get(10, TimeUnit.SECONDS), "woken long before its hour");
  }

  @Test
  void anInterruptEndsAWait() throws Exception {
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread consumer = new Thread(() -> {
      try {
        queue.poll(1, TimeUnit.HOURS);
        ended.complete(null);
      } catch (InterruptedException e) {
        ended.complete(e);
      }
    });
    consumer.start();
    while (consumer.getState() != Thread.State.TIMED_WAITING) {
      Thread.onSpinWait();
    }
    consumer.interrupt();
    assertTrue(ended.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
  }

  @Test
  void manyProducersAndOneWaitingConsumerLoseNothingAndKeepEachProducersOrder() throws Exception {
    int producers = 4;
    int each = 50_000;
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads.add(new Thread(() -> {
        for (int i = 0; i < each; i++) {
          queue.add(producer * each + i);
        }
      }));
    }
    threads.forEach(Thread::start);
    int[] next = new int[producers];
    List<Integer> drained = new ArrayList<>();
    for (int received = 0; received < producers * each; ) {
      Integer first = queue.poll(10, TimeUnit.SECONDS);
      assertTrue(first != null, "an item was lost after " + received);
      drained.clear();
      drained.add(first);
      queue.drainTo(drained, 100);
      for (int item : drained) {
        int producer = item / each;
        assertEquals(next[producer]++, item % each, "producer " + producer + "'s order");
        received++;
      }
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertTrue(queue.isEmpty());
  }
}
