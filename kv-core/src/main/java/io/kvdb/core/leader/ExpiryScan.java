package io.kvdb.core.leader;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * TTL expiry on the writer thread: every {@link #INTERVAL_MS} it turns the keys whose deadline has
 * passed into deletes for the next group commit, and it notes the deadlines a committed batch set.
 * Owned by the writer thread alone (no lock), as its {@link ExpiryIndex} is.
 */
final class ExpiryScan {
  /** How often the writer looks for expired keys: well within the documented 1 s after a deadline. */
  static final long INTERVAL_MS = 100;

  private final ExpiryIndex expiries;
  /** Wall-clock ms since 1970: the clock of TTL deadlines. */
  private final LongSupplier wallClockMs;
  /** When the writer next looks for expired keys (wall clock). */
  private long nextScanMs;

  ExpiryScan(ExpiryIndex expiries, LongSupplier wallClockMs) {
    this.expiries = expiries;
    this.wallClockMs = wallClockMs;
  }

  /**
   * Every {@link #INTERVAL_MS}, adds to {@code batch} a delete of each key whose deadline has
   * passed (up to {@code max}), conditional on the version that expired: a newer write of the key
   * makes it a no-op. Nobody waits for these deletes' replies; a failed batch leaves its keys
   * hidden until the next start finds them again.
   */
  void addExpired(List<Pending> batch, int max) {
    long nowMs = wallClockMs.getAsLong();
    if (nowMs < nextScanMs) {
      return;
    }
    nextScanMs = nowMs + INTERVAL_MS;
    for (ExpiryIndex.Due due : expiries.takeDue(nowMs, max)) {
      batch.add(new Pending.Write(due.key(), null, due.version(), 0, new CompletableFuture<>()));
    }
  }

  /** Notes the deadline of a put with a TTL in {@code deadlines}, if the put was written. */
  static void addDeadline(List<ExpiryIndex.Due> deadlines, String key, long expiresAtMs, Committed outcome) {
    if (expiresAtMs != 0 && outcome.seq() != 0) {
      deadlines.add(new ExpiryIndex.Due(expiresAtMs, key, outcome.version()));
    }
  }

  /** Adds {@code deadlines} to the index: call only once their batch is committed. */
  void committed(List<ExpiryIndex.Due> deadlines) {
    deadlines.forEach(due -> expiries.add(due.atMs(), due.key(), due.version()));
  }
}
