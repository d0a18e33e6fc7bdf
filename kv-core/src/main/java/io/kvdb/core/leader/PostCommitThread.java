package io.kvdb.core.leader;

import io.kvdb.core.process.HandOffQueue;
import io.kvdb.core.process.Shutdown;
import io.kvdb.core.process.Supervisor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What follows a commit, on one thread of its own ("kv-committed"), in commit order: the batch's
 * events go to the {@link EventSink} (the PUB socket, the watch hub), then its writes are answered.
 * Completing a write's future runs what its caller chained to it: the gRPC reply (marshalling, the
 * transport's hand-off, the call's metrics), the placement lookup, and for a write that waits for
 * acks the ack waiters' lock. Profiled, that was most of the writer thread's time; here it overlaps
 * the next batch's sync, and the writer thread takes no lock for it. One thread for both, rather
 * than a publisher thread beside a reply thread, because each hand-off costs the writer a wake-up
 * and the leader a context switch per batch, and batches are small (2 to 3 writes at 16 callers).
 * Between batches it runs the sink's {@link EventSink#tick} (heartbeats) when due.
 */
final class PostCommitThread implements AutoCloseable {
  /** The longest wait for a batch: how soon a close is noticed. */
  private static final long MAX_WAIT_MS = 50;

  private final HandOffQueue<Batch> queue = new HandOffQueue<>();
  private final EventSink sink;
  private final LongSupplier clockMs;
  private final Thread thread;
  private volatile boolean running = true;

  /** Runs {@code sink}'s ticks by {@code clockMs} (monotonic ms), under {@code supervisor}. */
  PostCommitThread(EventSink sink, LongSupplier clockMs, Supervisor supervisor) {
    this.sink = sink;
    this.clockMs = clockMs;
    thread = supervisor.start("kv-committed", this::run, () -> !running);
  }

  /** A committed batch: its events (one per shard it wrote; none for a batch of failed conditions), its answers. */
  private record Batch(List<ShardEvents> events, Runnable answers) {}

  /**
   * Called by the writer thread once a batch is committed: {@code events} go to the sink, then
   * {@code answers} run. Never blocks, takes no lock.
   */
  void committed(List<ShardEvents> events, Runnable answers) {
    queue.add(new Batch(events, answers));
  }

  private void run() {
    try {
      long nextTickMs = clockMs.getAsLong();
      while (running || !queue.isEmpty()) {
        long now = clockMs.getAsLong();
        if (now >= nextTickMs) {
          nextTickMs = now + Math.max(1, Math.min(MAX_WAIT_MS, sink.tick(now)));
        }
        Batch batch = queue.poll(Math.max(1, nextTickMs - now), TimeUnit.MILLISECONDS);
        if (batch != null) {
          if (!batch.events().isEmpty()) {
            sink.publish(batch.events());
          }
          batch.answers().run();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for committed batches", e);
    }
  }

  /** Publishes and answers what is queued, then stops the thread. Call after the writer thread has ended. */
  @Override
  public void close() {
    running = false;
    queue.wakeUp();
    Shutdown.join(thread);
  }
}
