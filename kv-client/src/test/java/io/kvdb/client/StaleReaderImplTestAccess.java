package io.kvdb.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joins a future and throws its cause, as the blocking calls do. */
final class StaleReaderImplTestAccess {
  private StaleReaderImplTestAccess() {}

  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }
}
