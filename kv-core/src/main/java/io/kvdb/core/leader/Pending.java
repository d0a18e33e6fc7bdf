package io.kvdb.core.leader;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What waits in the {@link WriteQueue} for the writer thread: one write, or an atomic group of
 * them. Either goes into one group commit whole, and is answered (or failed) through its reply.
 */
sealed interface Pending permits Pending.Write, Pending.Group {
  /** Answers the caller with {@code error}: nothing of this was committed. */
  void fail(Throwable error);

  /**
   * A write waiting for the writer thread; {@code value} is null for a delete, {@code expectedVersion}
   * null for no condition.
   */
  record Write(String key, byte[] keyBytes, byte[] value, Long expectedVersion, long expiresAtMs,
      CompletableFuture<Committed> reply) implements Pending {
    Write(String key, byte[] value, Long expectedVersion, long expiresAtMs, CompletableFuture<Committed> reply) {
      this(key, key.getBytes(StandardCharsets.UTF_8), value, expectedVersion, expiresAtMs, reply);
    }

    @Override
    public void fail(Throwable error) {
      reply.completeExceptionally(error);
    }
  }

  /** An atomic batch waiting for the writer thread: it goes into one group commit, whole. */
  record Group(List<BatchWrite> writes, CompletableFuture<BatchOutcome> reply) implements Pending {
    @Override
    public void fail(Throwable error) {
      reply.completeExceptionally(error);
    }
  }
}
