package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.storage.KvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread dies of an Error in the middle of a commit, with writes queued behind it:
 * none of them waits for an answer that would never come.
 */
@Timeout(60)
class WriterDeathTest {
  @TempDir Path dir;

  @Test
  void anErrorInACommitFailsTheBatchAndEveryQueuedWriteWithUnavailable() throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Supervisor supervisor = new Supervisor("test", exit::complete);
    CountDownLatch committing = new CountDownLatch(1);
    CountDownLatch queued = new CountDownLatch(1);
    try (KvStore store = KvStore.open(dir, true)) {
      WritePipeline.BatchCommitter dying = batch -> {
        committing.countDown();
        try {
          queued.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new OutOfMemoryError("injected: the heap ran out while committing");
      };
      WritePipeline writes = new WritePipeline(store, PipelineFixture.leader(1), 1000, new BacklogPins(), EventSink.NONE,
          dying, PipelineFixture.anyDisk(store), () -> 1_000L, PipelineMetrics.NONE, supervisor);
      supervisor.onDeath(() -> writes.refuseAll("the leader is stopping: "
          + supervisor.death().orElseThrow().describe()));
      try {
        CompletableFuture<Committed> inHand = writes.put("first", bytes("v"));
        assertTrue(committing.await(10, TimeUnit.SECONDS), "the writer never committed");
        List<CompletableFuture<Committed>> behind = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          behind.add(writes.put("queued-" + i, bytes("v")));
        }
        queued.countDown();

        assertEquals(ExitCodes.THREAD_DIED, exit.get(10, TimeUnit.SECONDS));
        assertEquals("kv-writer", supervisor.death().orElseThrow().thread());
        assertUnavailable(inHand, "writer thread died");
        for (CompletableFuture<Committed> write : behind) {
          assertUnavailable(write, "thread kv-writer died");
        }
        assertUnavailable(writes.put("later", bytes("v")), "thread kv-writer died");
        assertEquals(0, store.shardState(PipelineFixture.SHARD_OF.shardOf(bytes("first"))).seq(), "nothing committed");
      } finally {
        supervisor.stopping();
        writes.close();
      }
    }
  }

  private static void assertUnavailable(CompletableFuture<Committed> write, String because) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> write.get(10, TimeUnit.SECONDS));
    Status status = Status.fromThrowable(e.getCause());
    assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
    assertTrue(status.getDescription().contains(because), status.getDescription());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
