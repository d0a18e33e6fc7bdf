package io.kvdb.core.leader;

import com.google.protobuf.UnsafeByteOperations;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreSnapshot;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotEntry;
import io.kvdb.replication.v1.SnapshotRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves shard snapshots chunk by chunk, each chunk pulled by one follower request (credit-based
 * flow control: ROUTER drops at its high-water mark, so the leader never pushes). Every chunk of a
 * snapshot is read from the same LevelDB snapshot, so data, seq and digest agree. While a snapshot
 * is open, the backlog after its seq is pinned: the follower continues from there when installed.
 *
 * <p>A session belongs to the follower that started it, and at most {@code maxSessions} are open
 * at once (each holds a LevelDB snapshot and a backlog pin). A start beyond that waits in line and
 * is answered, oldest first, when a session ends: the follower is served late rather than told to
 * retry at once. Who may start one (a follower that said hello, for a shard assigned to it) is the
 * caller's check.
 *
 * <p>Used by the control thread only; {@link #openSessions()} may be read from any thread.
 */
public final class SnapshotSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotSource.class);
  static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
  /**
   * The most a chunk holds, whatever the request asks, each pair counted with its framing
   * ({@link ShardCursor#ENTRY_FRAMING_BYTES}): far below the sockets' 4 MiB message cap.
   */
  static final int MAX_CHUNK_BYTES = 1 << 20;

  private final KvStore store;
  private final IntFunction<ShardState> heads;
  private final BacklogPins pins;
  private final long idleTimeoutMs;
  private final int maxSessions;
  private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
  /** Starts waiting for a free session, oldest first; one per follower and shard (a re-sent start keeps its place). */
  private final Map<Start, SnapshotRequest> waiting = new LinkedHashMap<>();
  private long nextId = 1;

  /** The first chunk of a transfer that waited for a free session, to be sent to its follower. */
  public record Reply(String follower, SnapshotChunk chunk) {}

  private record Start(String follower, int shard) {}

  private static final class Session {
    final String follower;
    final int shard;
    final StoreSnapshot snapshot;
    final ShardState state;
    final long pin;
    long lastUsedMs;
    boolean sent;

    Session(String follower, int shard, StoreSnapshot snapshot, ShardState state, long pin, long nowMs) {
      this.follower = follower;
      this.shard = shard;
      this.snapshot = snapshot;
      this.state = state;
      this.pin = pin;
      this.lastUsedMs = nowMs;
    }
  }

  public SnapshotSource(KvStore store, IntFunction<ShardState> heads, BacklogPins pins, long idleTimeoutMs,
      int maxSessions) {
    if (maxSessions < 1) {
      throw new IllegalArgumentException("at least one snapshot session must be allowed: " + maxSessions);
    }
    this.store = store;
    this.heads = heads;
    this.pins = pins;
    this.idleTimeoutMs = idleTimeoutMs;
    this.maxSessions = maxSessions;
  }

  /**
   * A request of {@code follower}. The next chunk of its open session is answered at once; a start
   * ({@code snapshot_id} 0) ends the follower's earlier transfer of that shard and waits in line
   * (see {@link #admit}), so it has no answer yet.
   */
  public Optional<SnapshotChunk> next(String follower, SnapshotRequest request, long nowMs) {
    int shard = request.getShard();
    long id = request.getSnapshotId();
    if (id == 0) {
      end(session -> session.follower.equals(follower) && session.shard == shard);
      waiting.put(new Start(follower, shard), request);
      return Optional.empty();
    }
    Session session = sessions.get(id);
    if (session == null || session.shard != shard || !session.follower.equals(follower)) {
      return Optional.of(SnapshotChunk.newBuilder().setShard(shard).setSnapshotId(id)
          .setError("snapshot " + id + " is unknown or expired; start over").build());
    }
    return Optional.of(chunk(session, request, nowMs));
  }

  /** Starts waiting transfers, oldest first, while fewer than the maximum are open; returns their first chunks. */
  public List<Reply> admit(long nowMs) {
    List<Reply> started = new ArrayList<>();
    for (Iterator<Map.Entry<Start, SnapshotRequest>> it = waiting.entrySet().iterator();
        it.hasNext() && sessions.size() < maxSessions; ) {
      Map.Entry<Start, SnapshotRequest> start = it.next();
      it.remove();
      started.add(start(start.getKey(), start.getValue(), nowMs));
    }
    return started;
  }

  private Reply start(Start who, SnapshotRequest request, long nowMs) {
    long id = nextId++;
    // Pin before taking the snapshot: its seq is >= the pinned one, so nothing it needs is trimmed.
    long pin = pins.pin(who.shard(), heads.apply(who.shard()).seq());
    Session session = null;
    try {
      StoreSnapshot snapshot = store.snapshot();
      session = new Session(who.follower(), who.shard(), snapshot, snapshot.shardState(who.shard()), pin, nowMs);
      sessions.put(id, session);
      log.info("snapshot {} of shard {} at seq {} ({} keys) for follower {} started ({} open, {} waiting)", id,
          who.shard(), session.state.seq(), session.state.keys(), who.follower(), sessions.size(), waiting.size());
      return new Reply(who.follower(), chunk(session, request.toBuilder().setSnapshotId(id).build(), nowMs));
    } catch (RuntimeException e) {
      log.error("snapshot {} of shard {} for follower {} failed", id, who.shard(), who.follower(), e);
      sessions.remove(id);
      if (session != null) {
        session.snapshot.close();
      }
      pins.release(pin);
      return new Reply(who.follower(), SnapshotChunk.newBuilder().setShard(who.shard())
          .setError("the leader could not read this snapshot: " + e.getMessage()).build());
    }
  }

  private SnapshotChunk chunk(Session session, SnapshotRequest request, long nowMs) {
    session.lastUsedMs = nowMs;
    long maxBytes = request.getMaxBytes() == 0 ? DEFAULT_CHUNK_BYTES
        : Math.min(Integer.toUnsignedLong(request.getMaxBytes()), MAX_CHUNK_BYTES);
    SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setShard(session.shard)
        .setSnapshotId(request.getSnapshotId());
    byte[] after = request.getAfterKey().isEmpty() ? null : request.getAfterKey().toByteArray();
    long bytes = 0;
    boolean more;
    try (ShardCursor cursor = store.cursor(session.shard, after, false, session.snapshot)) {
      while ((more = cursor.next()) && (bytes < maxBytes || chunk.getEntriesCount() == 0)) {
        chunk.addEntries(SnapshotEntry.newBuilder()
            .setKey(UnsafeByteOperations.unsafeWrap(cursor.key()))
            .setValue(UnsafeByteOperations.unsafeWrap(cursor.value()))
            .setVersion(cursor.version()).setExpiresAtMs(cursor.stored().expiresAtMs()));
        bytes += cursor.key().length + cursor.value().length + ShardCursor.ENTRY_FRAMING_BYTES;
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

  /** Ends {@code follower}'s sessions of {@code shard} once it has applied their seq. */
  public void release(String follower, int shard, long appliedSeq) {
    end(session -> session.sent && session.follower.equals(follower) && session.shard == shard
        && appliedSeq >= session.state.seq());
  }

  /** Ends sessions idle for longer than the timeout: their follower gave up or is gone. */
  public void expire(long nowMs) {
    end(session -> nowMs - session.lastUsedMs > idleTimeoutMs);
  }

  /** Ends the transfers, open or waiting, of a follower and shard that {@code entitled} no longer allows. */
  public void retain(BiPredicate<String, Integer> entitled) {
    end(session -> !entitled.test(session.follower, session.shard));
    waiting.keySet().removeIf(start -> !entitled.test(start.follower(), start.shard()));
  }

  /** Sessions open now (each holds a LevelDB snapshot until sent, and a backlog pin until installed). */
  public int openSessions() {
    return sessions.size();
  }

  /** Starts waiting for a free session. */
  public int waiting() {
    return waiting.size();
  }

  private void end(Predicate<Session> which) {
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
      Session session = it.next();
      if (which.test(session)) {
        end(session);
        it.remove();
      }
    }
  }

  private void end(Session session) {
    pins.release(session.pin);
    session.snapshot.close();
  }

  @Override
  public void close() {
    sessions.values().forEach(this::end);
    sessions.clear();
    waiting.clear();
  }
}
