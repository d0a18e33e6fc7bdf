package io.kvdb.client;

import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The one rule of what the client sends again by itself: <b>a read that failed with
 * UNAVAILABLE</b> (the server could not be reached, or is stopping), at most
 * {@link KvOptions#readAttempts()} times in all and only within the call's deadline, after a pause
 * that doubles from {@link KvOptions#retryBackoff()} (with jitter, so that many clients do not
 * come back at once). A read changes nothing, so sending it twice is harmless.
 *
 * <p><b>A write is never sent again.</b> A Put or Delete that failed may have been committed
 * before the answer was lost; sent again, a Delete would answer NOT_FOUND for a key it deleted,
 * and a Put could overwrite what another client wrote in between. gRPC itself retries, without
 * the caller seeing it, only a call that never left the client, which is safe for writes too.
 * Every other code (DEADLINE_EXCEEDED included: the deadline is spent) is returned at once.
 */
final class RetryRule {
  /** The shift that keeps the doubled pause from overflowing. */
  private static final int MAX_DOUBLINGS = 20;

  private RetryRule() {}

  /** Whether a call of this kind that failed with {@code code} may be sent again. */
  static boolean retries(boolean read, Status.Code code) {
    return read && code == Status.Code.UNAVAILABLE;
  }

  /**
   * The pause before sending again a call that failed with {@code code} on attempt number
   * {@code attempt} (from 1); empty when the rule says stop, or when the pause would outlast the
   * deadline.
   */
  static Optional<Duration> pauseAfter(int attempt, boolean read, Status.Code code, KvOptions options,
      Deadline deadline) {
    if (!retries(read, code) || attempt >= options.readAttempts()) {
      return Optional.empty();
    }
    long full = options.retryBackoff().toNanos() << Math.min(attempt - 1, MAX_DOUBLINGS);
    long pause = full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
    if (deadline.timeRemaining(TimeUnit.NANOSECONDS) <= pause) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(pause));
  }
}
