package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.common.errors.ErrorReasons;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A compare-and-set that failed: the key's version was not the expected one (FAILED_PRECONDITION,
 * reason {@link ErrorReasons#VERSION_MISMATCH}). Nothing was written; read the key again (its
 * version is {@link #currentVersion()}) and retry with that.
 */
public final class VersionConflictException extends KvException {
  private final long currentVersion;
  private final int failedIndex;

  VersionConflictException(Status status, long currentVersion, int failedIndex, Throwable cause) {
    super(status, Optional.of(ErrorReasons.VERSION_MISMATCH), 1, cause);
    this.currentVersion = currentVersion;
    this.failedIndex = failedIndex;
  }

  /** For a batch ({@link KvClient#batch}): the index of the op whose condition failed; empty for a put or delete. */
  public OptionalInt failedIndex() {
    return failedIndex < 0 ? OptionalInt.empty() : OptionalInt.of(failedIndex);
  }

  /** The key's version when the write was checked; 0 when the key did not exist. */
  public long currentVersion() {
    return currentVersion;
  }
}
