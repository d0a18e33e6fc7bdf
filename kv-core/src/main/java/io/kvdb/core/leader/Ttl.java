package io.kvdb.core.leader;

import io.grpc.Status;

/** A put's {@code ttl_seconds} (of a Put or of a batch's put): its bounds, and the deadline it sets. */
final class Ttl {
  /** The longest TTL: ten years. Longer is refused as a mistake rather than kept as "forever". */
  static final long MAX_SECONDS = 10L * 365 * 24 * 3600;

  private Ttl() {}

  /**
   * The wall-clock deadline ({@code expires_at_ms}) of a put made at {@code nowMs}: 0 (never) when
   * it has no {@code ttl_seconds} ({@code hasTtl} false), else {@code nowMs} plus the TTL; a TTL
   * out of bounds is INVALID_ARGUMENT ({@link #validMs}).
   */
  static long expiresAtMs(boolean hasTtl, long ttlSeconds, long nowMs) {
    return hasTtl ? nowMs + validMs(ttlSeconds) : 0;
  }

  /** {@code ttlSeconds} in milliseconds; INVALID_ARGUMENT unless it is 1 to {@link #MAX_SECONDS}. */
  static long validMs(long ttlSeconds) {
    if (ttlSeconds < 1 || ttlSeconds > MAX_SECONDS) {
      throw Status.INVALID_ARGUMENT.withDescription("ttl_seconds must be 1 to " + MAX_SECONDS + " (ten years), not "
          + ttlSeconds + "; leave it out for no expiry").asRuntimeException();
    }
    return ttlSeconds * 1000;
  }
}
