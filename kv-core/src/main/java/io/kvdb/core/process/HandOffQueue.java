package io.kvdb.core.process;

import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A queue with many producers and ONE consumer thread that waits for items, without locks: a
 * {@link java.util.concurrent.LinkedBlockingQueue} takes its take-lock on every hand-off to an idle
 * consumer and on every drain, so a producer and the consumer can stall each other. Here items go
 * through a {@link ConcurrentLinkedQueue}, and a producer wakes the consumer ({@link LockSupport#unpark})
 * only while it is waiting.
 *
 * @param <T> the items
 */
public final class HandOffQueue<T> {
  private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
  /**
   * The consumer while it waits, else null. It sets this before its last look at the queue, and a
   * producer reads it after adding (both volatile), so a wake-up is never lost.
   */
  private volatile Thread waiting;

  /** Any thread: queues {@code item} and wakes the consumer if it waits. Never blocks. */
  public void add(T item) {
    items.add(item);
    Thread consumer = waiting;
    if (consumer != null) {
      LockSupport.unpark(consumer);
    }
  }

  /** The next item, or null at once when there is none. */
  public T poll() {
    return items.poll();
  }

  /**
   * The consumer: the next item, waiting up to {@code timeout} for one; null when none came.
   *
   * @throws InterruptedException when the consumer thread is interrupted while it waits
   */
  public T poll(long timeout, TimeUnit unit) throws InterruptedException {
    T item = items.poll();
    if (item != null) {
      return item;
    }
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    waiting = Thread.currentThread();
    try {
      while ((item = items.poll()) == null) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        LockSupport.parkNanos(this, left);
      }
      return item;
    } finally {
      waiting = null;
    }
  }

  /** Moves up to {@code max} queued items to {@code to}; returns how many. */
  public int drainTo(Collection<? super T> to, int max) {
    int moved = 0;
    for (T item; moved < max && (item = items.poll()) != null; moved++) {
      to.add(item);
    }
    return moved;
  }

  /** Takes {@code item} out if it is still queued. */
  public boolean remove(T item) {
    return items.remove(item);
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }

  /** Ends the consumer's wait now (it finds no item and returns, or re-checks what it waits for). */
  public void wakeUp() {
    Thread consumer = waiting;
    if (consumer != null) {
      LockSupport.unpark(consumer);
    }
  }
}
