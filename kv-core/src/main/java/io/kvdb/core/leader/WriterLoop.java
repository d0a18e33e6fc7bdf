package io.kvdb.core.leader;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.core.request.Statuses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The writer thread's loop (group commit): it takes whatever is queued, up to {@link #MAX_BATCH},
 * adds the deletes of expired keys, and commits it all as one batch; a batch that fails is answered
 * with its failure, and the loop goes on. It runs until the {@link WriteQueue} is closed and empty,
 * and takes no lock.
 */
final class WriterLoop implements Runnable {
  /** The most queued items (writes or atomic groups) one batch takes, and the most expired keys it adds. */
  static final int MAX_BATCH = 1024;

  private final WriteQueue queue;
  private final ExpiryScan expiry;
  private final GroupCommit commits;

  WriterLoop(WriteQueue queue, ExpiryScan expiry, GroupCommit commits) {
    this.queue = queue;
    this.expiry = expiry;
    this.commits = commits;
  }

  @Override
  public void run() {
    List<Pending> batch = new ArrayList<>();
    while (queue.hasWork()) {
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        expiry.addExpired(batch, MAX_BATCH);
        if (batch.isEmpty()) {
          continue;
        }
        Status refused = queue.refusal();
        if (refused != null) {
          batch.forEach(write -> write.fail(refused.asRuntimeException()));
          continue;
        }
        commits.commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // Nobody interrupts the writer: a death, and the supervisor's hook fails what is queued.
        throw new IllegalStateException("interrupted while waiting for writes", e);
      } catch (RuntimeException e) {
        // Nothing of the batch is committed. A refusal for disk space came before LevelDB wrote
        // anything (DiskSpace logs when refusals start and end); Statuses logs the other failures.
        StatusRuntimeException status = Statuses.of(e);
        batch.forEach(write -> write.fail(status));
      } catch (Error e) {
        // The thread dies of it (the supervisor says so); the writes in hand are answered first.
        Status status = Status.UNAVAILABLE.withDescription("the leader's writer thread died: " + e);
        batch.forEach(write -> write.fail(status.asRuntimeException()));
        throw e;
      } finally {
        batch.clear();
      }
    }
  }
}
