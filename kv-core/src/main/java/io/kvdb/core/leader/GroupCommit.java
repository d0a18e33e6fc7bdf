package io.kvdb.core.leader;

import io.kvdb.core.process.Supervisor;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.Revisions;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Commits one group of queued writes on the writer thread: their data, shard states and log entries
 * go into one WriteBatch (made by a {@link BatchBuilder}, trimmed by the {@link BacklogRetention}),
 * which passes the disk gate and is written (synced in durable mode). Only then do the shards' heads
 * move, the events go to the {@link EventSink} and the replies to the {@link ReplyThread}, so no
 * reply and no follower ever sees a write that could still be lost.
 */
final class GroupCommit implements AutoCloseable {
  private final KvStore store;
  private final LeaderMetadata leader;
  private final ShardFunction shardFunction;
  private final BacklogRetention retention;
  private final EventSink sink;
  private final WritePipeline.BatchCommitter committer;
  private final DiskSpace disk;
  private final LongSupplier clockMs;
  private final PipelineMetrics metrics;
  private final ExpiryScan expiry;
  /** Where committed writes are answered: their callers' continuations never run on the writer thread. */
  private final ReplyThread replies;
  /** Used on the writer thread only. */
  private final Revisions revisions;
  /** Heads for readers on other threads; the writer thread is the only one that sets them. */
  private final AtomicReferenceArray<ShardState> heads;

  /**
   * See {@link WritePipeline}'s constructor for what each part does; committed deadlines go to
   * {@code expiry}, and the "kv-reply" thread runs under {@code supervisor}.
   */
  GroupCommit(KvStore store, LeaderMetadata leader, ShardFunction shardFunction, BacklogRetention retention,
      EventSink sink, WritePipeline.BatchCommitter committer, DiskSpace disk, LongSupplier clockMs,
      PipelineMetrics metrics, ExpiryScan expiry, Supervisor supervisor) {
    this.store = store;
    this.leader = leader;
    this.shardFunction = shardFunction;
    this.retention = retention;
    this.sink = sink;
    this.committer = committer;
    this.disk = disk;
    this.clockMs = clockMs;
    this.metrics = metrics;
    this.expiry = expiry;
    this.revisions = Revisions.start(store, leader.epoch());
    this.heads = new AtomicReferenceArray<>(leader.shards());
    for (int shard = 0; shard < leader.shards(); shard++) {
      heads.set(shard, store.shardState(shard));
    }
    this.replies = new ReplyThread(supervisor);
  }

  /** The last committed state of a shard; any thread. */
  ShardState head(int shard) {
    return heads.get(shard);
  }

  /**
   * Commits {@code batch} and hands its answers to the reply thread. Throws when nothing of it was
   * committed (then no head, deadline or event of it is left behind); the caller fails its writes.
   */
  void commit(List<Pending> batch) {
    List<Runnable> answers = new ArrayList<>(batch.size());
    List<ExpiryIndex.Due> deadlines = new ArrayList<>();
    BatchBuilder contents;
    Map<Integer, ShardState> states;
    BacklogRetention.Trim trim;
    long syncNanos;
    try (StoreBatch storeBatch = store.newBatch()) {
      contents = new BatchBuilder(store, storeBatch, shardFunction, leader, heads::get, revisions, clockMs.getAsLong());
      for (Pending pending : batch) {
        if (pending instanceof Pending.Write write) {
          Committed outcome = contents.add(write.key(), write.keyBytes(), write.value(), write.expectedVersion(),
              write.expiresAtMs());
          ExpiryScan.addDeadline(deadlines, write.key(), write.expiresAtMs(), outcome);
          answers.add(() -> write.reply().complete(outcome));
        } else if (pending instanceof Pending.Group group) {
          BatchOutcome outcome = contents.addAll(group.writes());
          for (int i = 0; i < outcome.results().size(); i++) {
            BatchWrite write = group.writes().get(i);
            ExpiryScan.addDeadline(deadlines, write.key(), write.expiresAtMs(), outcome.results().get(i));
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
    expiry.committed(deadlines);
    // Stamped now, after the sync: replication lag counts from the commit, not from the batch's start.
    sink.publish(contents.events(clockMs.getAsLong()));
    replies.answer(() -> {
      if (syncNanos >= 0) {
        // Here, not on the writer: a histogram's record can wait for its lock while a scrape rotates it.
        metrics.batchCommitted(answers.size(), syncNanos);
      }
      answers.forEach(Runnable::run);
    });
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

  /** Answers what is committed, then stops the reply thread. Call after the writer thread has ended. */
  @Override
  public void close() {
    replies.close();
  }
}
