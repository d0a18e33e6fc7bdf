package io.kvdb.core.leader;

import com.google.protobuf.UnsafeByteOperations;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.Revisions;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.replication.v1.Event;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What one batch of the writer's comes to, before it is committed: each write that changes a key
 * gets the next seq of its shard, and its data change, its replication event (the log entry) and
 * its shard's new state (seq, digest, key count) go into one {@link StoreBatch}. A delete of a
 * missing key takes no seq; each committed write gets the next cluster-wide revision, stored as the
 * key's version. Whether a key exists, and its version for a compare-and-set, take the earlier
 * writes of the same batch into account, so two conditional writes of one key in one batch cannot
 * both pass. One per batch, on the writer thread.
 */
final class BatchBuilder {
  /** Marks a key deleted earlier in the same batch. */
  private static final StoredValue TOMBSTONE = new StoredValue(new byte[0], 0, 0);

  private final KvStore store;
  private final StoreBatch storeBatch;
  private final ShardFunction shardFunction;
  private final LeaderMetadata leader;
  private final IntFunction<ShardState> heads;
  private final Revisions revisions;
  private final long commitTimeMs;
  /** The values this batch gave its keys so far ({@link #TOMBSTONE} for a delete). */
  private final Map<ByteBuffer, StoredValue> written = new HashMap<>();
  private final Map<Integer, ShardState> states = new HashMap<>();
  /** Each shard's encoded events (its log entries), in seq order; shards in the order of their first write. */
  private final Map<Integer, List<byte[]>> entries = new LinkedHashMap<>();

  /**
   * Fills {@code storeBatch} with the writes of {@code leader}'s run, each shard starting from its
   * committed state in {@code heads}, each write with the next of {@code revisions};
   * {@code commitTimeMs} is stamped on every event.
   */
  BatchBuilder(KvStore store, StoreBatch storeBatch, ShardFunction shardFunction, LeaderMetadata leader,
      IntFunction<ShardState> heads, Revisions revisions, long commitTimeMs) {
    this.store = store;
    this.storeBatch = storeBatch;
    this.shardFunction = shardFunction;
    this.leader = leader;
    this.heads = heads;
    this.revisions = revisions;
    this.commitTimeMs = commitTimeMs;
  }

  /**
   * Adds a put of {@code value} under {@code key}, or a delete of it when {@code value} is null,
   * if the key's version is {@code expectedVersion} (null: no condition; 0: the key must not
   * exist); a put's key expires at {@code expiresAtMs} (0: never). Returns the answer the write
   * gets once the batch is committed.
   */
  Committed add(String key, byte[] keyBytes, byte[] value, Long expectedVersion, long expiresAtMs) {
    int shard = shardFunction.shardOf(keyBytes);
    StoredValue old = current(shard, keyBytes);
    long currentVersion = old == null ? 0 : old.version();
    if (expectedVersion != null && expectedVersion != currentVersion) {
      return Committed.conflict(shard, currentVersion);
    }
    boolean delete = value == null;
    if (delete && old == null) {
      return Committed.notFound(shard);
    }
    long epoch = leader.epoch();
    long revision = revisions.next();
    ShardState state = states.computeIfAbsent(shard, heads::apply);
    long seq = state.seq() + 1;
    Event.Builder event = Event.newBuilder()
        .setLeaderId(leader.leaderId()).setEpoch(epoch).setShard(shard).setSeq(seq)
        .setKey(key).setCommitTimeMs(commitTimeMs).setRevision(revision);
    if (delete) {
      state = state.afterDelete(seq, epoch, keyBytes, old);
      storeBatch.deleteData(shard, keyBytes);
      event.setDelete(true);
      written.put(ByteBuffer.wrap(keyBytes), TOMBSTONE);
    } else {
      StoredValue stored = new StoredValue(value, revision, expiresAtMs);
      state = state.afterPut(seq, epoch, keyBytes, old, stored);
      storeBatch.putData(shard, keyBytes, stored);
      // Not copied: the value is the request's own copy, and nothing changes it after this.
      event.setPutValue(UnsafeByteOperations.unsafeWrap(value)).setExpiresAtMs(expiresAtMs);
      written.put(ByteBuffer.wrap(keyBytes), stored);
    }
    // Encoded once: the same bytes are the log entry and, in the shard's batch, the PUB payload.
    byte[] entry = event.setDigest(state.digest()).setKeys(state.keys()).build().toByteArray();
    storeBatch.putLog(shard, seq, entry);
    states.put(shard, state);
    entries.computeIfAbsent(shard, s -> new ArrayList<>()).add(entry);
    return Committed.written(shard, seq, epoch, revision);
  }

  /**
   * Adds an atomic group of writes (each key at most once): when every condition holds against the
   * stored state and the earlier writes of this batch, all of them, in order; otherwise none, and
   * the outcome names the first write whose condition failed.
   */
  BatchOutcome addAll(List<BatchWrite> group) {
    // Conditions first, all of them: nothing may be added before every one is known to hold. Each
    // key appears once in a group, so no write of it can change what a later one sees.
    for (int i = 0; i < group.size(); i++) {
      BatchWrite write = group.get(i);
      if (write.expectedVersion() != null) {
        StoredValue old = current(shardFunction.shardOf(write.keyBytes()), write.keyBytes());
        long currentVersion = old == null ? 0 : old.version();
        if (write.expectedVersion() != currentVersion) {
          return BatchOutcome.conflict(i, currentVersion);
        }
      }
    }
    List<Committed> results = new ArrayList<>(group.size());
    for (BatchWrite write : group) {
      results.add(add(write.key(), write.keyBytes(), write.value(), null, write.expiresAtMs()));
    }
    return BatchOutcome.committed(results);
  }

  /** The key's value as this batch leaves it so far: its own earlier write, else the store's; null when missing. */
  private StoredValue current(int shard, byte[] keyBytes) {
    StoredValue old = written.get(ByteBuffer.wrap(keyBytes));
    if (old == null) {
      return store.get(shard, keyBytes).orElse(null);
    }
    return old == TOMBSTONE ? null : old;
  }

  /**
   * Once every write is added: puts the new state of each shard the batch changed into the batch,
   * and returns those states.
   */
  Map<Integer, ShardState> finishStates() {
    states.forEach(storeBatch::putShardState);
    return states;
  }

  /**
   * The batch's events, one {@link ShardEvents} per shard it wrote, committed at {@code committedAtMs}
   * (call once the batch is on disk).
   */
  List<ShardEvents> events(long committedAtMs) {
    List<ShardEvents> batch = new ArrayList<>(entries.size());
    entries.forEach((shard, encoded) -> batch.add(new ShardEvents(shard, states.get(shard), encoded, committedAtMs)));
    return batch;
  }
}
