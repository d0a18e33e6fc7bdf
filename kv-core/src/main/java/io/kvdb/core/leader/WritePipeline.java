package io.kvdb.core.leader;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.core.process.HandOffQueue;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.Revisions;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The leader's one write path. Requests are queued to one writer thread, which takes whatever is
 * queued (group commit), gives each write the next seq of its shard and the next cluster-wide
 * revision ({@link Revisions}; a compare-and-set is checked there, see {@link BatchBuilder}), and commits data, shard
 * states and log entries in one WriteBatch (synced in durable mode). Only then are the events
 * handed to the {@link EventSink} and the requests answered (on the {@link ReplyThread}), so no
 * reply and no follower ever sees a write that could still be lost. What a batch writes is made by
 * a {@link BatchBuilder}; the backlog's trimming is the {@link BacklogRetention}'s. An atomic batch
 * ({@link #batch}) is one item of the queue, so it always goes into one group commit whole.
 */
public final class WritePipeline implements AutoCloseable {
  private static final int MAX_BATCH = 1024;
  /** How often the writer looks for expired keys: well within the documented 1 s after a deadline. */
  static final long EXPIRY_SCAN_MS = 100;

  private final KvStore store;
  private final LeaderMetadata leader;
  private final ShardFunction shardFunction;
  private final BacklogRetention retention;
  private final EventSink sink;
  private final BatchCommitter committer;
  private final DiskSpace disk;
  private final LongSupplier clockMs;
  /** Wall-clock ms since 1970: the clock of TTL deadlines. */
  private final LongSupplier wallClockMs;
  /** The keys with a TTL; used on the writer thread only (so no lock). */
  private final ExpiryIndex expiries;
  /** When the writer next looks for expired keys (wall clock); writer thread only. */
  private long nextExpiryScanMs;
  private final PipelineMetrics metrics;
  private final CommitTimes commitTimes;
  /** Used on the writer thread only. */
  private final Revisions revisions;
  /** Lock-free: neither the callers nor the writer ever wait for each other's hand-off. */
  private final HandOffQueue<Pending> queue = new HandOffQueue<>();
  /** Heads for readers on other threads; the writer thread is the only one that sets them. */
  private final AtomicReferenceArray<ShardState> heads;
  private final Thread writer;
  /** Where committed writes are answered: their callers' continuations never run on the writer thread. */
  private final ReplyThread replies;
  private volatile boolean running = true;
  /** Set when a thread of the process died: every write from then on fails with it. */
  private volatile Status refusal;
  /** Shards a rebuild found no copy of: their writes are refused until accepted empty (null: none). */
  private volatile Set<Integer> missingShards;

  /** Commits a batch; tests wrap the real one to observe the order of commit and reply. */
  @FunctionalInterface
  public interface BatchCommitter {
    void commit(StoreBatch batch);
  }

  /** What waits for the writer thread: one write, or an atomic group of them. */
  private sealed interface Pending permits PendingWrite, PendingGroup {
    void fail(Throwable error);
  }

  /**
   * A write waiting for the writer thread; {@code value} is null for a delete, {@code expectedVersion}
   * null for no condition.
   */
  private record PendingWrite(String key, byte[] keyBytes, byte[] value, Long expectedVersion, long expiresAtMs,
      CompletableFuture<Committed> reply) implements Pending {
    PendingWrite(String key, byte[] value, Long expectedVersion, long expiresAtMs, CompletableFuture<Committed> reply) {
      this(key, key.getBytes(StandardCharsets.UTF_8), value, expectedVersion, expiresAtMs, reply);
    }

    @Override
    public void fail(Throwable error) {
      reply.completeExceptionally(error);
    }
  }

  /** An atomic batch waiting for the writer thread: it goes into one group commit, whole. */
  private record PendingGroup(List<BatchWrite> writes, CompletableFuture<BatchOutcome> reply) implements Pending {
    @Override
    public void fail(Throwable error) {
      reply.completeExceptionally(error);
    }
  }

  /**
   * Writes to {@code store} in the name of {@code leader} (its id and this run's epoch, stamped on
   * every event) over its shards. Each shard's backlog keeps its last {@code backlogPerShard}
   * events, and what {@code pins} holds. {@code committer} writes a batch (normally
   * {@link KvStore#write}); {@code disk} refuses a batch that would eat into the disk reserve
   * before anything of it is written; {@code clockMs} is the leader's monotonic clock, stamped on
   * events as their commit time; the writer thread runs under {@code supervisor}; each committed
   * batch's size and sync time go to {@code metrics} ({@link PipelineMetrics#NONE} for none).
   */
  public WritePipeline(KvStore store, LeaderMetadata leader, int backlogPerShard, BacklogPins pins, EventSink sink,
      BatchCommitter committer, DiskSpace disk, LongSupplier clockMs, PipelineMetrics metrics, Supervisor supervisor) {
    this(store, leader, backlogPerShard, pins, sink, committer, disk, clockMs, System::currentTimeMillis, metrics,
        supervisor);
  }

  /**
   * As above, with {@code wallClockMs} (ms since 1970) the clock of TTL deadlines: a put's expiry
   * time is set by it and the writer deletes a key once it reads past the key's deadline. The
   * keys with a TTL are found in {@code store} first, so that they expire after a restart too.
   */
  public WritePipeline(KvStore store, LeaderMetadata leader, int backlogPerShard, BacklogPins pins, EventSink sink,
      BatchCommitter committer, DiskSpace disk, LongSupplier clockMs, LongSupplier wallClockMs,
      PipelineMetrics metrics, Supervisor supervisor) {
    this.store = store;
    this.wallClockMs = wallClockMs;
    this.expiries = ExpiryIndex.load(store, leader.shards());
    this.leader = leader;
    this.shardFunction = new ShardFunction(leader.shards());
    this.sink = sink;
    this.committer = committer;
    this.disk = disk;
    this.clockMs = clockMs;
    this.metrics = metrics;
    this.commitTimes = new CommitTimes(store, leader.epoch(), clockMs.getAsLong());
    this.revisions = Revisions.start(store, leader.epoch());
    this.heads = new AtomicReferenceArray<>(leader.shards());
    for (int shard = 0; shard < leader.shards(); shard++) {
      heads.set(shard, store.shardState(shard));
    }
    this.retention = new BacklogRetention(store, leader.shards(), backlogPerShard, pins);
    this.replies = new ReplyThread(supervisor);
    this.writer = supervisor.start("kv-writer", this::run, () -> !running);
  }

  /**
   * Stores {@code value} under {@code key}; completes once committed, on the "kv-reply" thread.
   * {@code value} is not copied: the caller must not change it afterwards.
   */
  public CompletableFuture<Committed> put(String key, byte[] value) {
    return put(key, value, null, 0);
  }

  /**
   * As {@link #put(String, byte[])}, only if the key's version is {@code expectedVersion} (null: no
   * condition; 0: the key must not exist; a mismatch completes with {@code conflict}), the key
   * expiring at {@code expiresAtMs} (wall-clock ms; 0: never).
   */
  public CompletableFuture<Committed> put(String key, byte[] value, Long expectedVersion, long expiresAtMs) {
    return enqueue(key, value, expectedVersion, expiresAtMs);
  }

  /** Deletes {@code key}; completes with {@code found == false} when it did not exist. */
  public CompletableFuture<Committed> delete(String key) {
    return delete(key, null);
  }

  /** As {@link #delete(String)}, only if the key's version is {@code expectedVersion} (null: no condition). */
  public CompletableFuture<Committed> delete(String key, Long expectedVersion) {
    return enqueue(key, null, expectedVersion, 0);
  }

  /**
   * Applies {@code writes} atomically, in one group commit: all of them, when every condition
   * holds against the stored state and the earlier writes of the same group commit, or none (the
   * outcome names the first failed condition). Each key must appear at most once (the caller
   * checks). Completes once committed, on the "kv-reply" thread.
   */
  public CompletableFuture<BatchOutcome> batch(List<BatchWrite> writes) {
    CompletableFuture<BatchOutcome> reply = new CompletableFuture<>();
    for (BatchWrite write : writes) {
      RuntimeException refused = refusal(write.keyBytes());
      if (refused != null) {
        reply.completeExceptionally(refused);
        return reply;
      }
    }
    return enqueue(new PendingGroup(List.copyOf(writes), reply), reply);
  }

  private CompletableFuture<Committed> enqueue(String key, byte[] value, Long expectedVersion, long expiresAtMs) {
    CompletableFuture<Committed> reply = new CompletableFuture<>();
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    RuntimeException refused = refusal(keyBytes);
    if (refused != null) {
      reply.completeExceptionally(refused);
      return reply;
    }
    return enqueue(new PendingWrite(key, keyBytes, value, expectedVersion, expiresAtMs, reply), reply);
  }

  /** Why a write of {@code keyBytes} is refused now; null when it may be queued. */
  private RuntimeException refusal(byte[] keyBytes) {
    if (refusal != null || !running) {
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
    if ((refusal != null || (!running && !writer.isAlive())) && queue.remove(write)) {
      write.fail(refused());
    }
    return reply;
  }

  /**
   * Fails every queued write, and every later one, with UNAVAILABLE and {@code reason}: a thread
   * of the process died, and it is about to exit. Any thread may call it.
   */
  public void refuseAll(String reason) {
    Status refused = Status.UNAVAILABLE.withDescription(reason);
    refusal = refused;
    for (Pending write; (write = queue.poll()) != null; ) {
      write.fail(refused.asRuntimeException());
    }
  }

  /**
   * Refuses writes to {@code shards} (FAILED_PRECONDITION, naming the shard): a rebuild found no
   * copy of them, and an operator has not accepted them empty. Call before serving.
   */
  public void refuseShards(Set<Integer> shards) {
    missingShards = shards.isEmpty() ? null : Set.copyOf(shards);
  }

  /** The shards {@link #refuseShards} refuses, in shard order (cluster.proto's {@code missing_shards}). */
  public List<Integer> missingShards() {
    Set<Integer> missing = missingShards;
    return missing == null ? List.of() : missing.stream().sorted().toList();
  }

  /** The last committed state of a shard. */
  public ShardState head(int shard) {
    return heads.get(shard);
  }

  /** When the backlog's writes were committed, on this run's clock (a write of an earlier run: at this run's start). */
  CommitTimes commitTimes() {
    return commitTimes;
  }

  /** The wall clock of TTL deadlines, ms since 1970: reads hide a key once it reads past the key's. */
  public long wallClockMs() {
    return wallClockMs.getAsLong();
  }

  public int shards() {
    return leader.shards();
  }

  public long epoch() {
    return leader.epoch();
  }

  public String leaderId() {
    return leader.leaderId();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        addExpired(batch);
        if (batch.isEmpty()) {
          continue;
        }
        Status refused = refusal;
        if (refused != null) {
          batch.forEach(write -> write.fail(refused.asRuntimeException()));
          continue;
        }
        commit(batch);
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

  /**
   * Every {@link #EXPIRY_SCAN_MS}, adds to {@code batch} a delete of each key whose deadline has
   * passed, conditional on the version that expired: a newer write of the key makes it a no-op.
   * Nobody waits for these deletes' replies; a failed batch leaves its keys hidden until the next
   * start finds them again.
   */
  private void addExpired(List<Pending> batch) {
    long nowMs = wallClockMs.getAsLong();
    if (nowMs < nextExpiryScanMs) {
      return;
    }
    nextExpiryScanMs = nowMs + EXPIRY_SCAN_MS;
    for (ExpiryIndex.Due due : expiries.takeDue(nowMs, MAX_BATCH)) {
      batch.add(new PendingWrite(due.key(), null, due.version(), 0, new CompletableFuture<>()));
    }
  }

  private void commit(List<Pending> batch) {
    List<Runnable> answers = new ArrayList<>(batch.size());
    List<ExpiryIndex.Due> deadlines = new ArrayList<>();
    BatchBuilder contents;
    Map<Integer, ShardState> states;
    BacklogRetention.Trim trim;
    long syncNanos;
    try (StoreBatch storeBatch = store.newBatch()) {
      contents = new BatchBuilder(store, storeBatch, shardFunction, leader, heads::get, revisions, clockMs.getAsLong());
      for (Pending pending : batch) {
        if (pending instanceof PendingWrite write) {
          Committed outcome = contents.add(write.key(), write.keyBytes(), write.value(), write.expectedVersion(),
              write.expiresAtMs());
          addDeadline(deadlines, write.key(), write.expiresAtMs(), outcome);
          answers.add(() -> write.reply().complete(outcome));
        } else if (pending instanceof PendingGroup group) {
          BatchOutcome outcome = contents.addAll(group.writes());
          for (int i = 0; i < outcome.results().size(); i++) {
            BatchWrite write = group.writes().get(i);
            addDeadline(deadlines, write.key(), write.expiresAtMs(), outcome.results().get(i));
          }
          answers.add(() -> group.reply().complete(outcome));
        }
      }
      states = contents.finishStates();
      trim = retention.trim(states, storeBatch);
      syncNanos = storeBatch.operations() > 0 ? write(storeBatch) : -1;
    }
    states.forEach(heads::set);
    trim.committed();
    // Only once committed: a batch that failed to commit leaves no deadline behind.
    deadlines.forEach(due -> expiries.add(due.atMs(), due.key(), due.version()));
    sink.publish(contents.events());
    replies.answer(() -> {
      if (syncNanos >= 0) {
        // Here, not on the writer: a histogram's record can wait for its lock while a scrape rotates it.
        metrics.batchCommitted(answers.size(), syncNanos);
      }
      answers.forEach(Runnable::run);
    });
  }

  /** Notes the deadline of a committed put with a TTL, for the expiry index once the batch is committed. */
  private static void addDeadline(List<ExpiryIndex.Due> deadlines, String key, long expiresAtMs, Committed outcome) {
    if (expiresAtMs != 0 && outcome.seq() != 0) {
      deadlines.add(new ExpiryIndex.Due(expiresAtMs, key, outcome.version()));
    }
  }

  /**
   * The disk gate, then the (synced, in durable mode) write of one batch: the one place a batch
   * reaches the disk, so the time spent in {@code committer.commit}, returned in ns, is the batch's sync time.
   * Throws {@link DiskSpace.FullException} before LevelDB writes anything: on a full disk its
   * mmap'd writes would kill the JVM.
   */
  private long write(StoreBatch storeBatch) {
    disk.checkRoom(storeBatch.bytes());
    long started = System.nanoTime();
    committer.commit(storeBatch);
    return System.nanoTime() - started;
  }

  /**
   * Finishes the queued writes, then stops the writer thread. A write queued while the writer was
   * stopping (it saw {@code running} before close set it) is refused here, so that no caller waits
   * for a reply that would never come.
   */
  @Override
  public void close() {
    running = false;
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
    replies.close(); // after the writer: it answers the last committed batches first
  }

  private RuntimeException refused() {
    Status refused = refusal;
    return refused != null ? refused.asRuntimeException() : shuttingDown();
  }

  private static RuntimeException shuttingDown() {
    return Status.UNAVAILABLE.withDescription("the leader is shutting down").asRuntimeException();
  }
}
