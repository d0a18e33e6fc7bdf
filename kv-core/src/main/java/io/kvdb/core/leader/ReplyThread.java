package io.kvdb.core.leader;

import io.kvdb.core.process.HandOffQueue;
import io.kvdb.core.process.Shutdown;
import io.kvdb.core.process.Supervisor;
import java.util.concurrent.TimeUnit;

/**
 * Answers the writes of committed batches on a thread of its own ("kv-reply"), in commit order.
 * Completing a write's future runs what its caller chained to it: the gRPC reply (marshalling, the
 * transport's hand-off, the call's metrics), the placement lookup, and for a write that waits for
 * acks the ack waiters' lock. Profiled, that was most of the writer thread's time; here it overlaps
 * the next batch's sync instead, and the writer thread takes no lock for it.
 */
final class ReplyThread implements AutoCloseable {
  private final HandOffQueue<Runnable> queue = new HandOffQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  ReplyThread(Supervisor supervisor) {
    thread = supervisor.start("kv-reply", this::run, () -> !running);
  }

  /** Called by the writer thread once a batch is committed; never blocks, takes no lock. */
  void answer(Runnable replies) {
    queue.add(replies);
  }

  private void run() {
    try {
      while (running || !queue.isEmpty()) {
        Runnable replies = queue.poll(50, TimeUnit.MILLISECONDS);
        if (replies != null) {
          replies.run();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for replies", e);
    }
  }

  /** Answers what is queued, then stops the thread. Call after the writer thread has ended. */
  @Override
  public void close() {
    running = false;
    queue.wakeUp();
    Shutdown.join(thread);
  }
}
