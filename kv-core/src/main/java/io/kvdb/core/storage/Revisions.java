package io.kvdb.core.storage;

import java.nio.ByteBuffer;

/**
 * The leader's cluster-wide revisions: one per committed write, increasing, and never issued twice
 * for different content, even after an OS crash drops an unsynced tail (async mode), a restore
 * from an old backup or a rebuild from followers. Two rules make it so:
 *
 * <ul>
 *   <li>A reservation: before issuing a revision above the reserved one, the writer reserves the
 *       next {@value #BLOCK} and syncs that, whatever the store's mode. A restart goes on above
 *       the reservation, so no tail lost by a crash can hold a revision it issues again.
 *   <li>A clock floor: a start never issues below {@code epoch × }{@value #PER_MS}, the epoch
 *       being at least the wall-clock ms at start ({@link LeaderMetadata}). A data dir made from
 *       a copy (a restore, a rebuild) lacks the lost run's reservation; the floor still lies above
 *       everything that run issued, provided it issued fewer than {@value #PER_MS} revisions per
 *       ms on average since its own floor and the wall clock was not stepped back between the runs.
 * </ul>
 *
 * Revisions stay below 2^53 (exact as JSON numbers in JavaScript) until the year 2255. Not
 * thread-safe: the writer thread alone issues them.
 */
public final class Revisions {
  /** Revisions a start's floor leaves per ms since 1970. */
  public static final long PER_MS = 1024;
  /** Revisions reserved (and synced) at once. */
  static final long BLOCK = 1 << 16;
  static final String RESERVED = "revision_reserved";

  private final KvStore store;
  private long next;
  private long reserved;

  private Revisions(KvStore store, long next, long reserved) {
    this.store = store;
    this.next = next;
    this.reserved = reserved;
  }

  /** The revisions of a leader run of {@code epoch}: the first is max(reserved + 1, epoch × {@value #PER_MS}). */
  public static Revisions start(KvStore store, long epoch) {
    long reserved = store.metaLong(RESERVED, 0);
    return new Revisions(store, Math.max(reserved + 1, Math.multiplyExact(epoch, PER_MS)), reserved);
  }

  /** The next revision; reserves (synced) a new block first when the reserved ones are used up. */
  public long next() {
    if (next > reserved) {
      reserved = next + BLOCK - 1;
      store.putMetaSynced(RESERVED, reserved);
    }
    return next++;
  }

  /** The revision the next write would get: every issued one is below it. */
  public long peek() {
    return next;
  }

  /** Adds to {@code batch} a reservation up to {@code revision}, for a data dir written without a writer. */
  static void reserve(StoreBatch batch, long revision) {
    batch.putMeta(RESERVED, ByteBuffer.allocate(8).putLong(revision).array());
  }
}
