package io.kvdb.core.leader;

import java.util.List;

/**
 * The outcome of an atomic batch: either every write committed ({@code results}, one per write in
 * order; a delete of a missing key is {@link Committed#found()} false), or nothing, because the
 * write at {@code failedIndex} expected another version than its key's {@code currentVersion}
 * (0: no such key); then {@code results} is empty.
 */
public record BatchOutcome(List<Committed> results, int failedIndex, long currentVersion) {
  static BatchOutcome committed(List<Committed> results) {
    return new BatchOutcome(List.copyOf(results), -1, 0);
  }

  static BatchOutcome conflict(int failedIndex, long currentVersion) {
    return new BatchOutcome(List.of(), failedIndex, currentVersion);
  }

  /** Whether a condition failed (and nothing was written). */
  public boolean conflict() {
    return failedIndex >= 0;
  }

  /** The highest revision the batch committed at; 0 when it changed nothing. */
  public long revision() {
    return results.stream().mapToLong(r -> r.found() ? r.version() : 0).max().orElse(0);
  }
}
