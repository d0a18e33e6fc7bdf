package io.kvdb.core.leader;

import io.grpc.Status;

/** The bounds of a put's {@code ttl_seconds}. */
final class Ttl {
  /** The longest TTL: ten years. Longer is refused as a mistake rather than kept as "forever". */
  static final long MAX_SECONDS = 10L * 365 * 24 * 3600;

  private Ttl() {}

  /** {@code ttlSeconds} in milliseconds; INVALID_ARGUMENT unless it is 1 to {@link #MAX_SECONDS}. */
  static long validMs(long ttlSeconds) {
    if (ttlSeconds < 1 || ttlSeconds > MAX_SECONDS) {
      throw Status.INVALID_ARGUMENT.withDescription("ttl_seconds must be 1 to " + MAX_SECONDS + " (ten years), not "
          + ttlSeconds + "; leave it out for no expiry").asRuntimeException();
    }
    return ttlSeconds * 1000;
  }
}
