package io.kvdb.core.follower;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Waits between tries of something that keeps failing: the first is {@code minMs}, each next one
 * twice the last, up to {@code maxMs}; a success starts over from {@code minMs}. Not thread-safe.
 */
final class Backoff {
  private final long minMs;
  private final long maxMs;
  private long nextMs;

  Backoff(long minMs, long maxMs) {
    checkArgument(minMs > 0 && maxMs >= minMs, "backoff must be 0 < min <= max: %s, %s", minMs, maxMs);
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.nextMs = minMs;
  }

  /** How long to wait before the next try, after one more failure. */
  long next() {
    long wait = nextMs;
    nextMs = Math.min(maxMs, nextMs * 2);
    return wait;
  }

  /** It worked: the next failure waits {@code minMs} again. */
  void reset() {
    nextMs = minMs;
  }
}
