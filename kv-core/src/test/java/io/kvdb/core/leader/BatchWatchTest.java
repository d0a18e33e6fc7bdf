package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.SUPERVISOR;
import static io.kvdb.core.leader.PipelineFixture.anyDisk;
import static io.kvdb.core.leader.PipelineFixture.leader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.watch.WatchHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An atomic batch reaches watchers as one change per op, in revision order, across its shards, with
 * previous values; a batch whose condition failed reaches them not at all.
 */
@Timeout(60)
class BatchWatchTest {
  @TempDir Path dir;

  @Test
  void aBatchReachesWatchersOpByOpInRevisionOrderAndAFailedOneNotAtAll() throws Exception {
    WatchHub hub = new WatchHub(0, 100, 100, 100, 1_000, () -> 0);
    ReceivedChanges watcher = new ReceivedChanges();
    hub.watch(WatchRequest.newBuilder().setPrefix("acct/").setPrev(true).build(), watcher);
    assertNotEquals(SHARD_OF.shardOf("acct/a"), SHARD_OF.shardOf("acct/b"), "the batch spans two shards");
    BatchOutcome first;
    BatchOutcome second;
    try (KvStore store = KvStore.open(dir, false);
        WritePipeline pipeline = new WritePipeline(store, leader(1), 1000, new BacklogPins(), hub, store::write,
            anyDisk(store), () -> 1_000L, System::currentTimeMillis, PipelineMetrics.NONE, SUPERVISOR)) {
      first = done(pipeline.batch(List.of(BatchWrite.put("acct/a", bytes("100"), 0L, 0),
          BatchWrite.put("acct/b", bytes("50"), 0L, 0))));
      BatchOutcome refused = done(pipeline.batch(List.of(BatchWrite.put("acct/a", bytes("0"), null, 0),
          BatchWrite.delete("acct/b", 1L))));
      assertTrue(refused.conflict());
      second = done(pipeline.batch(List.of(
          BatchWrite.put("acct/a", bytes("70"), first.results().get(0).version(), 0),
          BatchWrite.delete("acct/b", first.results().get(1).version()))));
      hub.dispatch();
    }

    List<WatchEvent> events = watcher.events;
    assertEquals(List.of("PUT acct/a", "PUT acct/b", "PUT acct/a", "DELETE acct/b"),
        events.stream().map(e -> e.getType() + " " + e.getKey()).toList(), "nothing of the refused batch: " + events);
    List<Long> revisions = List.of(first.results().get(0).version(), first.results().get(1).version(),
        second.results().get(0).version(), second.results().get(1).version());
    assertEquals(revisions, events.stream().map(WatchEvent::getRevision).toList(), "each op's revision, in order");
    assertEquals("100", events.get(2).getPrevValue().toStringUtf8(), "prev: the value the batch replaced");
    assertEquals("50", events.get(3).getPrevValue().toStringUtf8(), "prev: the value the batch deleted");
  }

  private static BatchOutcome done(CompletableFuture<BatchOutcome> batch) throws Exception {
    return batch.get(10, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
