package io.kvdb.client;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.common.security.BearerHeader;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link KvClient} calls: immutable, start from {@link #DEFAULT} and change what you need
 * with the {@code with...} methods.
 *
 * @param deadline how long one call may take, retries of a read included (a write that waits for
 *     acks gets {@code ackTimeout} on top)
 * @param minAcks writes wait until this many followers holding the key's shard have applied them
 *     (like Redis WAIT); 0: do not wait. More than the replication factor is INVALID_ARGUMENT
 * @param ackTimeout how long a write waits for its acks; zero: the leader's default
 *     ({@code --ack-timeout-ms}). A timeout is not an error: the write is committed, the reply
 *     says how many acked
 * @param token the bearer token sent with every call ({@code authorization: Bearer TOKEN}), for
 *     servers started with {@code --token-file}; empty: none
 * @param tls how {@link KvClient#connect} secures its connection; a client over a channel of your
 *     own uses that channel's security and ignores this
 * @param readAttempts how many times in all a read is sent when it meets UNAVAILABLE (see
 *     {@link KvClient} for the retry rule); 1: never again
 * @param retryBackoff the pause before the first retry of a read; it doubles with each retry
 * @param session whether get, put and delete travel on the leader's KV Session stream (one
 *     long-lived stream per client, shared by its views; a call is one message each way) rather
 *     than as a unary call each. Same results, errors, deadlines and retries; cheaper per call
 *     for a process that makes many concurrent calls (the HTTP gateway). Needs a leader that
 *     serves Session (UNIMPLEMENTED otherwise)
 */
public record KvOptions(Duration deadline, int minAcks, Duration ackTimeout, Optional<String> token, TlsTrust tls,
    int readAttempts, Duration retryBackoff, boolean session) {
  /**
   * 10 s deadline, no waiting for acks, no token, plaintext, reads sent up to 3 times from 100 ms
   * apart, a unary call per operation.
   */
  public static final KvOptions DEFAULT = new KvOptions(Duration.ofSeconds(10), 0, Duration.ZERO, Optional.empty(),
      TlsTrust.PLAINTEXT, 3, Duration.ofMillis(100), false);
  /** The largest ack timeout the protocol carries (a uint32 of milliseconds). */
  static final long MAX_ACK_TIMEOUT_MS = 0xFFFF_FFFFL;

  public KvOptions {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(ackTimeout, "ackTimeout");
    Objects.requireNonNull(token, "token (Optional.empty() for none)");
    Objects.requireNonNull(tls, "tls (TlsTrust.PLAINTEXT for none)");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    checkArgument(deadline.toMillis() > 0, "deadline must be at least 1 ms: %s", deadline);
    checkArgument(minAcks >= 0, "minAcks must be >= 0: %s", minAcks);
    checkArgument(!ackTimeout.isNegative() && ackTimeout.toMillis() <= MAX_ACK_TIMEOUT_MS,
        "ackTimeout must be 0 to %s ms: %s", MAX_ACK_TIMEOUT_MS, ackTimeout);
    checkArgument(readAttempts >= 1 && readAttempts <= 10, "readAttempts must be 1 to 10: %s", readAttempts);
    checkArgument(!retryBackoff.isNegative() && retryBackoff.compareTo(Duration.ofMinutes(1)) <= 0,
        "retryBackoff must be 0 to 1 minute: %s", retryBackoff);
    token.ifPresent(KvOptions::checkToken);
  }

  /** Tokens travel in an HTTP/2 header: visible ASCII, no spaces. Never shows the token itself. */
  private static void checkToken(String token) {
    checkArgument(!token.isEmpty(), "the token is empty");
    checkArgument(BearerHeader.isWellFormed(token), "the token must be visible ASCII characters without spaces");
  }

  public KvOptions withDeadline(Duration newDeadline) {
    return new KvOptions(newDeadline, minAcks, ackTimeout, token, tls, readAttempts, retryBackoff, session);
  }

  /** Writes wait for {@code newMinAcks} followers, at most {@code timeout} (zero: the leader's default). */
  public KvOptions withAcks(int newMinAcks, Duration timeout) {
    return new KvOptions(deadline, newMinAcks, timeout, token, tls, readAttempts, retryBackoff, session);
  }

  /**
   * Sends {@code newToken} as bearer token.
   *
   * @throws IllegalArgumentException when it is empty or holds characters a header cannot carry
   */
  public KvOptions withToken(String newToken) {
    return new KvOptions(deadline, minAcks, ackTimeout, Optional.of(newToken), tls, readAttempts, retryBackoff, session);
  }

  /** Sends no token. */
  public KvOptions withoutToken() {
    return new KvOptions(deadline, minAcks, ackTimeout, Optional.empty(), tls, readAttempts, retryBackoff, session);
  }

  public KvOptions withTls(TlsTrust newTls) {
    return new KvOptions(deadline, minAcks, ackTimeout, token, newTls, readAttempts, retryBackoff, session);
  }

  /** Reads are sent at most {@code attempts} times in all, the first pause being {@code backoff}. */
  public KvOptions withReadRetries(int attempts, Duration backoff) {
    return new KvOptions(deadline, minAcks, ackTimeout, token, tls, attempts, backoff, session);
  }

  /** Get, put and delete on the leader's Session stream ({@code true}) or as unary calls. */
  public KvOptions withSession(boolean newSession) {
    return new KvOptions(deadline, minAcks, ackTimeout, token, tls, readAttempts, retryBackoff, newSession);
  }

  /**
   * The deadline of a write: {@link #deadline}, plus the ack timeout when it waits for acks. A
   * server that calls on behalf of others (the HTTP gateway) gives its own request that long.
   */
  public Duration writeDeadline() {
    return minAcks == 0 ? deadline : deadline.plus(ackTimeout);
  }

  /** Never shows the token: options end up in logs. */
  @Override
  public String toString() {
    return "KvOptions[deadline=" + deadline + ", minAcks=" + minAcks + ", ackTimeout=" + ackTimeout + ", token="
        + (token.isPresent() ? "(set)" : "(none)") + ", tls=" + tls + ", readAttempts=" + readAttempts
        + ", retryBackoff=" + retryBackoff + ", session=" + session + "]";
  }
}
