package io.kvdb.core.leader;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real committer ({@link KvStore#write}) behind a gate: every commit waits until the test opens
 * the gate, so a test can look at the world while a batch is still uncommitted.
 */
final class GatedCommitter implements WritePipeline.BatchCommitter {
  private final KvStore store;
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch open = new CountDownLatch(1);
  private final AtomicInteger commits = new AtomicInteger();
  private volatile boolean syncedWhenCommitting;

  GatedCommitter(KvStore store) {
    this.store = store;
  }

  @Override
  public void commit(StoreBatch batch) {
    entered.countDown();
    try {
      if (!open.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    syncedWhenCommitting = store.syncWrites();
    store.write(batch);
    commits.incrementAndGet();
  }

  /** Waits until the writer thread is blocked inside its first commit. */
  void awaitBlocked() throws InterruptedException {
    if (!entered.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the writer never reached the committer");
    }
  }

  void open() {
    open.countDown();
  }

  /** Batches written to the store so far. */
  int commits() {
    return commits.get();
  }

  /** Whether the store synced (durable mode) for the last commit. */
  boolean syncedWhenCommitting() {
    return syncedWhenCommitting;
  }
}
