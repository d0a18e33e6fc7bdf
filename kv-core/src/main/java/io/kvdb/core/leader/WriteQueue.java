package io.kvdb.core.leader;

import io.grpc.Status;
import io.kvdb.core.process.HandOffQueue;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.sharding.ShardFunction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The intake of the {@link WritePipeline}: callers on any thread queue their writes here for the one
 * writer thread, or are refused at once (a dead thread of the process, a missing shard, a pipeline
 * that is closing). Lock-free: neither the callers nor the writer ever wait for each other's hand-off.
 * Whatever is queued is answered: committed by the writer, or failed here or by it.
 */
final class WriteQueue {
  private final ShardFunction shardFunction;
  private final HandOffQueue<Pending> queue = new HandOffQueue<>();
  /** The one consumer; set by {@link #startWriter} before the pipeline is handed to any caller. */
  private volatile Thread writer;
  private volatile boolean open = true;
  /** Set when a thread of the process died: every write from then on fails with it. */
  private volatile Status refusal;
  /** Shards a rebuild found no copy of: their writes are refused until accepted empty (null: none). */
  private volatile Set<Integer> missingShards;

  WriteQueue(ShardFunction shardFunction) {
    this.shardFunction = shardFunction;
  }

  /** Starts {@code loop}, the queue's one consumer, as the "kv-writer" thread of {@code supervisor}. */
  void startWriter(Supervisor supervisor, Runnable loop) {
    writer = supervisor.start("kv-writer", loop, () -> !open);
  }

  /** Queues a put ({@code value} null: a delete); see {@link WritePipeline#put(String, byte[], Long, long)}. */
  CompletableFuture<Committed> write(String key, byte[] value, Long expectedVersion, long expiresAtMs) {
    CompletableFuture<Committed> reply = new CompletableFuture<>();
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    RuntimeException refused = refusal(keyBytes);
    if (refused != null) {
      reply.completeExceptionally(refused);
      return reply;
    }
    return enqueue(new Pending.Write(key, keyBytes, value, expectedVersion, expiresAtMs, reply), reply);
  }

  /** Queues an atomic batch; see {@link WritePipeline#batch}. */
  CompletableFuture<BatchOutcome> batch(List<BatchWrite> writes) {
    CompletableFuture<BatchOutcome> reply = new CompletableFuture<>();
    for (BatchWrite write : writes) {
      RuntimeException refused = refusal(write.keyBytes());
      if (refused != null) {
        reply.completeExceptionally(refused);
        return reply;
      }
    }
    return enqueue(new Pending.Group(List.copyOf(writes), reply), reply);
  }

  /** Why a write of {@code keyBytes} is refused now; null when it may be queued. */
  private RuntimeException refusal(byte[] keyBytes) {
    if (refusal != null || !open) {
      return refused();
    }
    Set<Integer> missing = missingShards;
    int shard = missing == null ? -1 : shardFunction.shardOf(keyBytes);
    if (missing != null && missing.contains(shard)) {
      return Status.FAILED_PRECONDITION.withDescription("shard " + shard + " is missing: this"
          + " leader was rebuilt from its followers and none held a copy of it; restart the leader with"
          + " --allow-missing-shards to accept it empty").asRuntimeException();
    }
    return null;
  }

  private <T> CompletableFuture<T> enqueue(Pending write, CompletableFuture<T> reply) {
    queue.add(write);
    // Refused or closed between the check above and the add: refuseAll() or close() may have
    // drained the queue already, and the writer may be gone, so nobody else would answer this write.
    if ((refusal != null || (!open && !writer.isAlive())) && queue.remove(write)) {
      write.fail(refused());
    }
    return reply;
  }

  /** See {@link WritePipeline#refuseAll}. */
  void refuseAll(String reason) {
    Status refused = Status.UNAVAILABLE.withDescription(reason);
    refusal = refused;
    for (Pending write; (write = queue.poll()) != null; ) {
      write.fail(refused.asRuntimeException());
    }
  }

  /** See {@link WritePipeline#refuseShards}. */
  void refuseShards(Set<Integer> shards) {
    missingShards = shards.isEmpty() ? null : Set.copyOf(shards);
  }

  /** See {@link WritePipeline#missingShards}. */
  List<Integer> missingShards() {
    Set<Integer> missing = missingShards;
    return missing == null ? List.of() : missing.stream().sorted().toList();
  }

  /** The writer: why every write fails now (a thread of the process died); null while none does. */
  Status refusal() {
    return refusal;
  }

  /** The writer: whether it should go on (open, or writes still queued). */
  boolean hasWork() {
    return open || !queue.isEmpty();
  }

  /** The writer: the next write, waiting up to {@code timeout} for one; null when none came. */
  Pending poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  /** The writer: moves up to {@code max} queued writes to {@code to}. */
  void drainTo(Collection<? super Pending> to, int max) {
    queue.drainTo(to, max);
  }

  /**
   * Refuses new writes, lets the writer finish the queued ones, then waits for it to stop. A write
   * queued while the writer was stopping (it saw the queue open before this closed it) is refused
   * here, so that no caller waits for a reply that would never come.
   */
  void close() {
    open = false;
    queue.wakeUp();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!writer.isAlive()) {
      for (Pending late; (late = queue.poll()) != null; ) {
        late.fail(shuttingDown());
      }
    }
  }

  private RuntimeException refused() {
    Status refused = refusal;
    return refused != null ? refused.asRuntimeException() : shuttingDown();
  }

  private static RuntimeException shuttingDown() {
    return Status.UNAVAILABLE.withDescription("the leader is shutting down").asRuntimeException();
  }
}
