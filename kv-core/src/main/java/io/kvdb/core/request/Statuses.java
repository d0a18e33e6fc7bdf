package io.kvdb.core.request;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.StorageException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.iq80.leveldb.DBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from what a call failed with to the gRPC status its client gets, used by every
 * service of the leader and the followers, so that one failure reads the same on every method:
 *
 * <ul>
 *   <li>a {@link StatusRuntimeException} (validation, NOT_FOUND, FAILED_PRECONDITION...) as it is;
 *   <li>a write refused for disk space: RESOURCE_EXHAUSTED with the {@code DISK_FULL} reason;
 *   <li>a data dir that cannot be read or written (LevelDB's {@link DBException}, a
 *       {@link StorageException}): UNAVAILABLE, since the call may succeed later or elsewhere;
 *   <li>a cancelled wait: CANCELLED;
 *   <li>anything else is a bug: INTERNAL, logged with its stack trace.
 * </ul>
 *
 * Causes do not cross the wire: the description says what happened.
 */
public final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  /** The status to answer a call that failed with {@code error} (unwrapped from a future's wrapper). */
  public static StatusRuntimeException of(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof StatusRuntimeException status) {
      return status;
    }
    if (cause instanceof StatusException status) {
      return status.getStatus().asRuntimeException(status.getTrailers());
    }
    if (cause instanceof DiskSpace.FullException) {
      return ErrorReasons.diskFull(cause.getMessage());
    }
    if (cause instanceof DBException || cause instanceof StorageException) {
      log.warn("storage error answered UNAVAILABLE: {}", cause.toString());
      return Status.UNAVAILABLE.withDescription("the data dir could not be read or written: " + cause.getMessage())
          .asRuntimeException();
    }
    if (cause instanceof CancellationException) {
      return Status.CANCELLED.withDescription("the call was cancelled").asRuntimeException();
    }
    log.error("unexpected error answered INTERNAL", cause);
    return Status.INTERNAL.withDescription("unexpected error: " + cause).asRuntimeException();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
