package io.kvdb.core.leader;

import io.kvdb.core.process.Supervisor;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.Revisions;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The leader's one write path. Requests are queued ({@link WriteQueue}) to one writer thread
 * ({@link WriterLoop}), which takes whatever is queued (group commit), gives each write the next seq
 * of its shard and the next cluster-wide revision ({@link Revisions}; a compare-and-set is checked
 * there, see {@link BatchBuilder}), and commits data, shard states and log entries in one WriteBatch
 * (synced in durable mode; {@link GroupCommit}). Only then are the events handed to the
 * {@link EventSink} and the requests answered (on the {@link ReplyThread}), so no reply and no
 * follower ever sees a write that could still be lost. The backlog's trimming is the
 * {@link BacklogRetention}'s, TTL expiry the {@link ExpiryScan}'s. An atomic batch ({@link #batch})
 * is one item of the queue, so it always goes into one group commit whole.
 */
public final class WritePipeline implements AutoCloseable {
  private final LeaderMetadata leader;
  /** Wall-clock ms since 1970: the clock of TTL deadlines. */
  private final LongSupplier wallClockMs;
  private final CommitTimes commitTimes;
  private final WriteQueue queue;
  private final GroupCommit commits;

  /** Commits a batch; tests wrap the real one to observe the order of commit and reply. */
  @FunctionalInterface
  public interface BatchCommitter {
    void commit(StoreBatch batch);
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
    this.leader = leader;
    this.wallClockMs = wallClockMs;
    ShardFunction shardFunction = new ShardFunction(leader.shards());
    ExpiryScan expiry = new ExpiryScan(ExpiryIndex.load(store, leader.shards()), wallClockMs);
    this.commitTimes = new CommitTimes(store, leader.shards(), leader.epoch(), clockMs.getAsLong());
    BacklogRetention retention = new BacklogRetention(store, leader.shards(), backlogPerShard, pins);
    this.commits = new GroupCommit(store, leader, shardFunction, retention, sink, committer, disk, clockMs, metrics,
        expiry, supervisor);
    this.queue = new WriteQueue(shardFunction);
    queue.startWriter(supervisor, new WriterLoop(queue, expiry, commits));
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
    return queue.write(key, value, expectedVersion, expiresAtMs);
  }

  /** Deletes {@code key}; completes with {@code found == false} when it did not exist. */
  public CompletableFuture<Committed> delete(String key) {
    return delete(key, null);
  }

  /** As {@link #delete(String)}, only if the key's version is {@code expectedVersion} (null: no condition). */
  public CompletableFuture<Committed> delete(String key, Long expectedVersion) {
    return queue.write(key, null, expectedVersion, 0);
  }

  /**
   * Applies {@code writes} atomically, in one group commit: all of them, when every condition
   * holds against the stored state and the earlier writes of the same group commit, or none (the
   * outcome names the first failed condition). Each key must appear at most once (the caller
   * checks). Completes once committed, on the "kv-reply" thread.
   */
  public CompletableFuture<BatchOutcome> batch(List<BatchWrite> writes) {
    return queue.batch(writes);
  }

  /**
   * Fails every queued write, and every later one, with UNAVAILABLE and {@code reason}: a thread
   * of the process died, and it is about to exit. Any thread may call it.
   */
  public void refuseAll(String reason) {
    queue.refuseAll(reason);
  }

  /**
   * Refuses writes to {@code shards} (FAILED_PRECONDITION, naming the shard): a rebuild found no
   * copy of them, and an operator has not accepted them empty. Call before serving.
   */
  public void refuseShards(Set<Integer> shards) {
    queue.refuseShards(shards);
  }

  /** The shards {@link #refuseShards} refuses, in shard order (cluster.proto's {@code missing_shards}). */
  public List<Integer> missingShards() {
    return queue.missingShards();
  }

  /** The last committed state of a shard. */
  public ShardState head(int shard) {
    return commits.head(shard);
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

  /**
   * Finishes the queued writes, then stops the writer thread. A write queued while the writer was
   * stopping (it saw the pipeline open before close closed it) is refused here, so that no caller waits
   * for a reply that would never come.
   */
  @Override
  public void close() {
    queue.close();
    commits.close(); // after the writer: it answers the last committed batches first
  }
}
