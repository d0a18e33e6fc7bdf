package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.common.errors.ErrorReasons;
import java.util.Optional;

/**
 * Every failure of a kvdb call: the gRPC status code, the server's description (which says what
 * to change) and, when the server gave one, the machine-readable reason of its
 * {@code google.rpc.ErrorInfo} (domain {@code kvdb.io}), such as {@link ErrorReasons#DISK_FULL}.
 * Tell failures apart by {@link #code()} and {@link #reason()}, never by the words of the
 * description.
 *
 * <p>Whether to try again: the client has already retried a read that met {@code UNAVAILABLE}
 * (see {@link KvClient}); {@link #attempts()} says how often. It never retries a write: a write
 * that failed with {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}, {@code CANCELLED},
 * {@code UNKNOWN} or {@code INTERNAL} may or may not have been committed, so read before writing
 * again if it matters. A {@link #isDiskFull() full disk} refused the write before storing
 * anything: it may be sent again once space is freed.
 */
public class KvException extends RuntimeException {
  private final Status status;
  private final Optional<String> reason;
  private final int attempts;

  KvException(Status status, Optional<String> reason, int attempts, Throwable cause) {
    super(message(status, attempts), cause);
    this.status = status;
    this.reason = reason;
    this.attempts = attempts;
  }

  /** The failure {@code error} of a call made {@code attempts} times. */
  static KvException of(Throwable error, int attempts) {
    if (error instanceof KvException known) {
      return known;
    }
    Optional<Long> current = ErrorReasons.currentVersionOf(error);
    if (current.isPresent()) {
      return new VersionConflictException(Status.fromThrowable(error), current.get(),
          ErrorReasons.failedIndexOf(error).orElse(-1), error);
    }
    return new KvException(Status.fromThrowable(error), ErrorReasons.reasonOf(error), attempts, error);
  }

  private static String message(Status status, int attempts) {
    String description = status.getDescription() == null ? "" : ": " + status.getDescription();
    return status.getCode() + description + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return status.getCode();
  }

  /** The server's description of the failure; empty when it gave none. */
  public String description() {
    return status.getDescription() == null ? "" : status.getDescription();
  }

  /** The kvdb reason of the failure (ErrorInfo in domain {@code kvdb.io}), when the server gave one. */
  public Optional<String> reason() {
    return reason;
  }

  /** RESOURCE_EXHAUSTED because the leader's disk is almost full: retry once space is freed. */
  public boolean isDiskFull() {
    return reason.filter(ErrorReasons.DISK_FULL::equals).isPresent();
  }

  /**
   * The whole status, with the local cause of a transport failure (a refused connection, a TLS
   * handshake that failed), for messages that say more than the code.
   */
  public Status status() {
    return status;
  }

  /** How many times the call was sent: 1, or more for a read retried after UNAVAILABLE. */
  public int attempts() {
    return attempts;
  }
}
