package io.kvdb.core.follower;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Waits between tries of something that keeps failing. The n-th wait is drawn between half and
 * all of a ceiling that starts at {@code minMs} and doubles up to {@code maxMs} ("equal jitter"):
 * the shards of a follower, and the followers of a leader, that failed together (a leader that
 * restarted and lost every transfer) then try again spread out, not all in the same millisecond,
 * while each wait below the cap is still at least as long as the one before. A success starts
 * over from {@code minMs}. Not thread-safe.
 */
final class Backoff {
  private final long minMs;
  private final long maxMs;
  private final RandomGenerator random;
  private long ceilingMs;

  /** With a generator of its own, seeded apart from every other: no two backoffs draw one sequence. */
  Backoff(long minMs, long maxMs) {
    this(minMs, maxMs, new SplittableRandom());
  }

  Backoff(long minMs, long maxMs, RandomGenerator random) {
    checkArgument(minMs > 0 && maxMs >= minMs, "backoff must be 0 < min <= max: %s, %s", minMs, maxMs);
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.random = random;
    this.ceilingMs = minMs;
  }

  /** How long to wait before the next try, after one more failure: in [ceiling / 2, ceiling]. */
  long next() {
    long ceiling = ceilingMs;
    ceilingMs = Math.min(maxMs, ceilingMs * 2);
    return ceiling - random.nextLong(ceiling / 2 + 1);
  }

  /** It worked: the next failure waits at most {@code minMs} again. */
  void reset() {
    ceilingMs = minMs;
  }
}
