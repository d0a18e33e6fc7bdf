package io.kvdb.core.follower;

import com.google.protobuf.ByteString;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;

/**
 * One shard's snapshot as the follower pulls it from the leader, chunk by chunk (credit-based: the
 * next chunk is asked for only once one is installed, since the leader's ROUTER drops what does
 * not fit): which transfer it is, how many keys came, and when a failed one is taken again. The
 * {@link ShardSync} of the shard decides when to start, install and give up; owned by its thread.
 */
final class SnapshotPull {
  /**
   * What each chunk request asks for: the leader's most. Larger chunks mean fewer messages, batches
   * and round trips per installed key (a fresh follower of 1,000,000 keys caught up in about a
   * tenth less time with 1 MiB than with 256 KiB: docs/PERFORMANCE.md).
   */
  static final int CHUNK_BYTES = 1 << 20;
  /**
   * Waits before a failed snapshot is taken again: the leader answered with an error (it could not
   * read the snapshot, or the transfer expired) or the installed data did not match its digest.
   * Not at once, since the cause may last (a disk error, a leader under load), and not forever
   * fast; short at first, since an expired transfer is fixed by starting over.
   */
  static final long RETRY_MIN_MS = 250;
  static final long RETRY_MAX_MS = 10_000;

  private final int shard;
  private final Backoff backoff = new Backoff(RETRY_MIN_MS, RETRY_MAX_MS);
  /** The leader's id of the transfer, known from its first chunk; 0 before. */
  private long id;
  private long keys;
  /** After a failure: our monotonic ms when the next snapshot starts, and why the last failed. */
  private long retryAtMs;
  private String failure = "";

  SnapshotPull(int shard) {
    this.shard = shard;
  }

  /** A new transfer starts: the leader names it in its first chunk. */
  void begin() {
    id = 0;
    keys = 0;
  }

  /** The request for the chunk after {@code afterKey} (empty for the first) of this transfer. */
  ControlMessage request(ByteString afterKey) {
    return ControlMessage.newBuilder().setSnapshotRequest(SnapshotRequest.newBuilder()
        .setShard(shard).setSnapshotId(id).setAfterKey(afterKey).setMaxBytes(CHUNK_BYTES)).build();
  }

  /** Whether {@code chunk} is of another transfer than this one (an earlier one's, late). */
  boolean isStale(SnapshotChunk chunk) {
    return id != 0 && id != chunk.getSnapshotId();
  }

  /** {@code chunk} is being installed. */
  void received(SnapshotChunk chunk) {
    id = chunk.getSnapshotId();
    keys += chunk.getEntriesCount();
  }

  /** The keys installed so far by this transfer. */
  long keys() {
    return keys;
  }

  /** The snapshot was installed: a later failure waits the shortest time again. */
  void installed() {
    backoff.reset();
  }

  /** The transfer failed {@code why} at {@code nowMs}; returns how long until it is taken again. */
  long failed(String why, long nowMs) {
    long waitMs = backoff.next();
    failure = why;
    retryAtMs = nowMs + waitMs;
    return waitMs;
  }

  /** Whether, at {@code nowMs}, the wait after the last failure is over. */
  boolean retryDue(long nowMs) {
    return nowMs >= retryAtMs;
  }

  /** Why the last transfer failed. */
  String lastFailure() {
    return failure;
  }
}
