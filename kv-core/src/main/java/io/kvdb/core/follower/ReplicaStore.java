package io.kvdb.core.follower;

import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.core.storage.StoreSnapshot;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A follower's copy of its shards: applies events and snapshot chunks, keeping each shard's applied
 * seq, epoch, digest and key count in the same WriteBatch as the data. Every applied event is
 * checked against the digest the leader computed after it, so divergence shows at once.
 *
 * <p>Used by the follower's replication thread only (reads from other threads go to the KvStore).
 */
public final class ReplicaStore {
  private static final String INSTALLING = "installing/";
  /**
   * Marks a shard that went live here and was not dropped or re-installed since: a complete copy
   * even with no data and seq 0 (an empty shard), so that a restart serves it stale too.
   */
  private static final String HELD = "held/";
  private static final String LEADER_ID = "synced_leader_id";

  private final KvStore store;
  private final ShardState[] states;
  private final boolean[] held;
  /** Per shard being installed: the digest and key count of the pairs its snapshot wrote so far. */
  private final ShardState[] installed;
  private final ReplicaMetrics metrics;

  /** What applying a shard's events came to. */
  public enum Outcome {
    /** Every event was applied or was a duplicate. */
    APPLIED,
    /** An event skipped ahead of applied + 1: catch up from the backlog. */
    GAP,
    /** The digest after an event differs from the leader's: re-sync the shard by snapshot. */
    DIVERGED
  }

  private static final String SHARDS = "replica_shards";

  /** The replica in {@code store} if it was ever synced (its shard count is known), else null. */
  public static ReplicaStore openExisting(KvStore store) {
    return openExisting(store, ReplicaMetrics.NONE);
  }

  /** As {@link #openExisting(KvStore)}, reporting what it applies to {@code metrics}. */
  public static ReplicaStore openExisting(KvStore store, ReplicaMetrics metrics) {
    long shards = store.metaLong(SHARDS, 0);
    return shards == 0 ? null : new ReplicaStore(store, (int) shards, metrics);
  }

  /** A replica for a cluster of {@code shards} shards, remembered in the data dir. */
  public static ReplicaStore create(KvStore store, int shards) {
    return create(store, shards, ReplicaMetrics.NONE);
  }

  /** As {@link #create(KvStore, int)}, reporting what it applies to {@code metrics}. */
  public static ReplicaStore create(KvStore store, int shards, ReplicaMetrics metrics) {
    store.putMetaSynced(SHARDS, shards);
    return new ReplicaStore(store, shards, metrics);
  }

  private ReplicaStore(KvStore store, int shards, ReplicaMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.states = new ShardState[shards];
    this.held = new boolean[shards];
    this.installed = new ShardState[shards];
    for (int shard = 0; shard < shards; shard++) {
      states[shard] = store.shardState(shard);
      held[shard] = store.meta(HELD + shard).isPresent();
      installed[shard] = ShardState.EMPTY;
    }
  }

  public ShardState state(int shard) {
    return states[shard];
  }

  public int shards() {
    return states.length;
  }

  /**
   * Applies the events, in order, in one batch. Per shard, stops at the first gap or divergence
   * and reports it; events of other shards still apply.
   */
  public Map<Integer, Outcome> apply(List<Event> events) {
    long started = System.nanoTime();
    int applied = 0;
    Map<Integer, Outcome> outcomes = new HashMap<>();
    Map<Integer, ShardState> next = new HashMap<>();
    Map<ByteBuffer, StoredValue> written = new HashMap<>();
    try (StoreBatch batch = store.newBatch()) {
      for (Event event : events) {
        int shard = event.getShard();
        Outcome sofar = outcomes.get(shard);
        if (sofar == Outcome.GAP || sofar == Outcome.DIVERGED) {
          continue;
        }
        ShardState state = next.getOrDefault(shard, states[shard]);
        if (event.getSeq() <= state.seq()) {
          outcomes.put(shard, Outcome.APPLIED);
          continue; // a duplicate: already applied
        }
        if (event.getSeq() > state.seq() + 1) {
          outcomes.put(shard, Outcome.GAP);
          continue;
        }
        byte[] key = event.getKey().getBytes(StandardCharsets.UTF_8);
        ByteBuffer slot = ByteBuffer.wrap(key);
        StoredValue old = written.containsKey(slot) ? written.get(slot) : store.get(shard, key).orElse(null);
        // Applied unconditionally: a delete of a key this copy never had still advances the seq.
        StoredValue value = event.hasPutValue()
            ? new StoredValue(event.getPutValue().toByteArray(), event.getRevision(), event.getExpiresAtMs()) : null;
        ShardState after = value != null ? state.afterPut(event.getSeq(), event.getEpoch(), key, old, value)
            : state.afterDelete(event.getSeq(), event.getEpoch(), key, old);
        if (after.digest() != event.getDigest() || after.keys() != event.getKeys()) {
          // Nothing of it goes in the batch, which other shards' events still commit: the shard's
          // data stays at its applied seq until the snapshot that repairs it.
          outcomes.put(shard, Outcome.DIVERGED);
          continue;
        }
        if (value != null) {
          batch.putData(shard, key, value);
        } else {
          batch.deleteData(shard, key);
        }
        written.put(slot, value);
        next.put(shard, after);
        outcomes.put(shard, Outcome.APPLIED);
        applied++;
      }
      // A diverged shard's earlier events of this batch are still committed: they matched.
      next.forEach(batch::putShardState);
      if (batch.operations() > 0) {
        store.write(batch);
      }
    }
    next.forEach((shard, state) -> states[shard] = state);
    if (!events.isEmpty()) {
      metrics.applied(applied, System.nanoTime() - started);
    }
    return outcomes;
  }

  /** Starts installing a snapshot: marks the shard as installing and wipes it, durably. */
  public void beginInstall(int shard) {
    try (StoreBatch batch = store.newBatch()) {
      batch.putMeta(INSTALLING + shard, new byte[] {1});
      batch.deleteMeta(HELD + shard);
      store.deleteShard(shard, batch);
      store.writeSynced(batch);
    }
    states[shard] = ShardState.EMPTY;
    held[shard] = false;
    installed[shard] = ShardState.EMPTY;
  }

  /**
   * Writes one chunk of the snapshot begun by {@link #beginInstall}. On the last chunk, sets the
   * shard's state from it, clears the marker, and returns whether the pairs written match the
   * snapshot's digest and key count.
   *
   * <p>The pairs are summed as they are written into the wiped shard, not read back: a transfer's
   * keys come once each, in key order, so the sum is the data's digest, and reading a fresh shard
   * back cost a sixth of a catch-up's CPU. What the disk holds is checked against the digest at
   * every start-up ({@link ReplicaCheck}).
   */
  public boolean installChunk(SnapshotChunk chunk) {
    int shard = chunk.getShard();
    try (StoreBatch batch = store.newBatch()) {
      for (SnapshotEntry entry : chunk.getEntriesList()) {
        byte[] key = entry.getKey().toByteArray();
        StoredValue value = new StoredValue(entry.getValue().toByteArray(), entry.getVersion(), entry.getExpiresAtMs());
        batch.putData(shard, key, value);
        installed[shard] = installed[shard].afterPut(0, 0, key, null, value);
      }
      ShardState state = null;
      if (chunk.getLast()) {
        state = new ShardState(chunk.getSeq(), chunk.getSeqEpoch(), chunk.getDigest(), chunk.getKeys());
        batch.putShardState(shard, state);
        batch.deleteMeta(INSTALLING + shard);
      }
      store.write(batch);
      if (state == null) {
        return true;
      }
      states[shard] = state;
    }
    return installed[shard].digest() == chunk.getDigest() && installed[shard].keys() == chunk.getKeys();
  }

  /** Digest and key count computed from the stored data of a shard (seq fields left 0). */
  public ShardState recompute(int shard) {
    long digest = 0;
    long keys = 0;
    try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
      while (cursor.next()) {
        digest += Digest.of(cursor.key(), cursor.stored());
        keys++;
      }
    }
    return new ShardState(0, 0, digest, keys);
  }

  /** Shards whose snapshot install was interrupted (by a crash): they must be installed again. */
  public Set<Integer> interruptedInstalls() {
    Set<Integer> shards = new TreeSet<>();
    for (int shard = 0; shard < states.length; shard++) {
      if (store.meta(INSTALLING + shard).isPresent()) {
        shards.add(shard);
      }
    }
    return shards;
  }

  /** Deletes a shard's data and applied state in one batch (it is no longer placed here). */
  public void drop(int shard) {
    try (StoreBatch batch = store.newBatch()) {
      store.deleteShard(shard, batch);
      batch.deleteMeta(INSTALLING + shard);
      batch.deleteMeta(HELD + shard);
      store.write(batch);
    }
    states[shard] = ShardState.EMPTY;
    held[shard] = false;
  }

  /**
   * The shard went live: its copy is complete, even when empty. Not synced: a marker lost in a
   * crash only means an empty shard is not served stale after the restart.
   */
  public void markHeld(int shard) {
    if (!held[shard]) {
      try (StoreBatch batch = store.newBatch()) {
        store.write(batch.putMeta(HELD + shard, new byte[] {1}));
      }
      held[shard] = true;
    }
  }

  /** Shards with data or an applied seq, and empty shards that went live here ({@link #markHeld}). */
  public Set<Integer> shardsHeld() {
    Set<Integer> shards = shardsWithData();
    for (int shard = 0; shard < held.length; shard++) {
      if (held[shard]) {
        shards.add(shard);
      }
    }
    return shards;
  }

  /** Shards with data or an applied seq. */
  public Set<Integer> shardsWithData() {
    Set<Integer> shards = new TreeSet<>();
    for (int shard = 0; shard < states.length; shard++) {
      if (states[shard].seq() > 0 || states[shard].keys() > 0) {
        shards.add(shard);
      }
    }
    return shards;
  }

  /** The cluster's shard count and the leader id the copy came from, as of {@code snapshot} (0 and "": never synced). */
  public static int shardCountIn(StoreSnapshot snapshot) {
    return snapshot.meta(SHARDS).map(bytes -> (int) ByteBuffer.wrap(bytes).getLong()).orElse(0);
  }

  /** The leader id the copy came from as of {@code snapshot} ("" before the first sync). */
  public static String syncedLeaderIdIn(StoreSnapshot snapshot) {
    return snapshot.meta(LEADER_ID).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse("");
  }

  /** The leader this copy came from; empty before the first sync. */
  public String syncedLeaderId() {
    return store.metaString(LEADER_ID).orElse("");
  }

  public void setSyncedLeaderId(String leaderId) {
    store.putMetaSynced(LEADER_ID, leaderId);
  }
}
