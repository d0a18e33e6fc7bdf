package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.common.errors.ErrorReasons;
import java.util.Optional;

/**
 * A compare-and-set that failed: the key's version was not the expected one (FAILED_PRECONDITION,
 * reason {@link ErrorReasons#VERSION_MISMATCH}). Nothing was written; read the key again (its
 * version is {@link #currentVersion()}) and retry with that.
 */
public final class VersionConflictException extends KvException {
  private final long currentVersion;

  VersionConflictException(Status status, long currentVersion, Throwable cause) {
    super(status, Optional.of(ErrorReasons.VERSION_MISMATCH), 1, cause);
    this.currentVersion = currentVersion;
  }

  /** The key's version when the write was checked; 0 when the key did not exist. */
  public long currentVersion() {
    return currentVersion;
  }
}
