package io.kvdb.cli.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Keeps one client thread to its share of {@code --rate}: each call starts one interval after the
 * previous call's planned start. A client that falls behind (a slow call) starts at once, and its
 * plan restarts from then instead of bursting to make up the lost calls: a paced run measures the
 * server at that rate, not how fast it drains a queue. Owned by one thread; not thread-safe.
 */
final class Pacer {
  private final long intervalNanos;
  private final LongSupplier clock;
  private final LongConsumer sleep;
  /** When the next call is planned to start; 0 before the first. */
  private long next;

  /**
   * @param intervalNanos the time between the starts of two calls
   * @param clock {@link System#nanoTime} outside tests
   * @param sleep parks the thread for about the nanoseconds given
   */
  Pacer(long intervalNanos, LongSupplier clock, LongConsumer sleep) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("the interval must be > 0 ns: " + intervalNanos);
    }
    this.intervalNanos = intervalNanos;
    this.clock = clock;
    this.sleep = sleep;
  }

  /** A pacer of {@code callsPerSecond} on the system clock. */
  static Pacer of(double callsPerSecond) {
    return new Pacer(intervalOf(callsPerSecond), System::nanoTime, LockSupport::parkNanos);
  }

  /** The nanoseconds between two starts at {@code callsPerSecond}; at least 1. */
  static long intervalOf(double callsPerSecond) {
    return Math.max(1, Math.round(TimeUnit.SECONDS.toNanos(1) / callsPerSecond));
  }

  /** Returns when the next call may start. */
  void awaitTurn() {
    long now = clock.getAsLong();
    if (next == 0 || now - next > intervalNanos) {
      next = now; // the first call, or behind by more than one interval: start now, plan from here
    } else {
      while (now < next) {
        sleep.accept(next - now);
        now = clock.getAsLong();
      }
    }
    next += intervalNanos;
  }
}
