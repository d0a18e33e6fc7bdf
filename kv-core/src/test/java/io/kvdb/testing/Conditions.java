package io.kvdb.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition in a test, bounded: no sleep-then-assert. */
public final class Conditions {
  private Conditions() {}

  /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
  public static void waitUntil(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what);
      }
      Thread.sleep(5);
    }
  }
}
