package io.kvdb.core.leader;

import com.google.protobuf.ByteString;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreSnapshot;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotEntry;
import io.kvdb.replication.v1.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves shard snapshots chunk by chunk, each chunk pulled by one follower request (credit-based
 * flow control: ROUTER drops at its high-water mark, so the leader never pushes). Every chunk of a
 * snapshot is read from the same LevelDB snapshot, so data, seq and digest agree. While a snapshot
 * is open, the backlog after its seq is pinned: the follower continues from there when installed.
 *
 * <p>Used by the control thread only.
 */
public final class SnapshotSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotSource.class);
  static final int DEFAULT_CHUNK_BYTES = 256 * 1024;

  private final KvStore store;
  private final IntFunction<ShardState> heads;
  private final BacklogPins pins;
  private final long idleTimeoutMs;
  private final Map<Long, Session> sessions = new HashMap<>();
  private long nextId = 1;

  private static final class Session {
    final int shard;
    final StoreSnapshot snapshot;
    final ShardState state;
    final long pin;
    long lastUsedMs;
    boolean sent;

    Session(int shard, StoreSnapshot snapshot, ShardState state, long pin, long nowMs) {
      this.shard = shard;
      this.snapshot = snapshot;
      this.state = state;
      this.pin = pin;
      this.lastUsedMs = nowMs;
    }
  }

  public SnapshotSource(KvStore store, IntFunction<ShardState> heads, BacklogPins pins, long idleTimeoutMs) {
    this.store = store;
    this.heads = heads;
    this.pins = pins;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  public SnapshotChunk next(SnapshotRequest request, long nowMs) {
    int shard = request.getShard();
    Session session;
    long id = request.getSnapshotId();
    if (id == 0) {
      // Pin before taking the snapshot: its seq is >= the pinned one, so nothing it needs is trimmed.
      long pin = pins.pin(shard, heads.apply(shard).seq());
      StoreSnapshot snapshot = store.snapshot();
      id = nextId++;
      session = new Session(shard, snapshot, snapshot.shardState(shard), pin, nowMs);
      sessions.put(id, session);
      log.info("snapshot {} of shard {} at seq {} ({} keys) started", id, shard, session.state.seq(), session.state.keys());
    } else {
      session = sessions.get(id);
      if (session == null || session.shard != shard) {
        return SnapshotChunk.newBuilder().setShard(shard).setSnapshotId(id)
            .setError("snapshot " + id + " is unknown or expired; start over").build();
      }
    }
    session.lastUsedMs = nowMs;
    int maxBytes = request.getMaxBytes() == 0 ? DEFAULT_CHUNK_BYTES : request.getMaxBytes();
    SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setShard(shard).setSnapshotId(id);
    byte[] after = request.getAfterKey().isEmpty() ? null : request.getAfterKey().getBytes(StandardCharsets.UTF_8);
    int bytes = 0;
    boolean more;
    try (ShardCursor cursor = store.cursor(shard, after, false, session.snapshot)) {
      while ((more = cursor.next()) && (bytes < maxBytes || chunk.getEntriesCount() == 0)) {
        chunk.addEntries(SnapshotEntry.newBuilder()
            .setKey(new String(cursor.key(), StandardCharsets.UTF_8))
            .setValue(ByteString.copyFrom(cursor.value())));
        bytes += cursor.key().length + cursor.value().length;
      }
    }
    if (!more) {
      ShardState state = session.state;
      chunk.setLast(true).setSeq(state.seq()).setSeqEpoch(state.seqEpoch())
          .setDigest(state.digest()).setKeys(state.keys());
      // The data is sent; keep the pin (the backlog after seq) until the follower continues from it.
      session.sent = true;
      session.snapshot.close();
    }
    return chunk.build();
  }

  /** Ends sessions of {@code shard} whose seq the follower has now applied, and idle ones. */
  public void release(int shard, long appliedSeq, long nowMs) {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session session = it.next();
      boolean installed = session.sent && session.shard == shard && appliedSeq >= session.state.seq();
      if (installed || nowMs - session.lastUsedMs > idleTimeoutMs) {
        end(session);
        it.remove();
      }
    }
  }

  public int openSessions() {
    return sessions.size();
  }

  private void end(Session session) {
    pins.release(session.pin);
    session.snapshot.close();
  }

  @Override
  public void close() {
    sessions.values().forEach(this::end);
    sessions.clear();
  }
}
