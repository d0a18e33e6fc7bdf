package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.keysInShard;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoredValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Compare-and-set on the writer thread: against the store, and against the earlier writes of the same batch. */
@Timeout(60)
class CompareAndSetTest {
  @TempDir Path dir;
  private KvStore store;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void twoConditionalWritesOfOneVersionInOneBatchCannotBothPass() throws Exception {
    GatedCommitter gate = new GatedCommitter(store);
    List<String> keys = keysInShard(3, 2);
    String counter = keys.get(0);
    long version;
    try (WritePipeline pipeline = pipeline(store)) {
      version = await(pipeline.put(counter, bytes("0"), 0L, 0)).version();
    }
    try (WritePipeline pipeline = pipeline(store, 2, 1000, new BacklogPins(), EventSink.NONE, gate)) {
      CompletableFuture<Committed> blocker = pipeline.put(keys.get(1), bytes("holds the writer"));
      gate.awaitBlocked();
      // Both read version `version` and try to write on it: they queue up and form one batch.
      CompletableFuture<Committed> first = pipeline.put(counter, bytes("1 from a"), version, 0);
      CompletableFuture<Committed> second = pipeline.put(counter, bytes("1 from b"), version, 0);
      gate.open();
      await(blocker);
      Committed a = await(first);
      Committed b = await(second);
      assertEquals(2, gate.commits(), "the two conditional writes went in one batch");
      assertFalse(a.conflict());
      assertTrue(b.conflict(), "the second saw the first's write of the same batch");
      assertEquals(a.version(), b.version(), "the conflict reports the version the first one wrote");
      StoredValue stored = store.get(3, bytes(counter)).orElseThrow();
      assertArrayEquals(bytes("1 from a"), stored.value());
      assertEquals(a.version(), stored.version());
      assertEquals(3, store.shardState(3).seq(), "the conflict took no seq");
    }
  }

  @Test
  void mismatchesWriteNothingAndReportTheCurrentVersion() throws Exception {
    String key = "k";
    int shard = SHARD_OF.shardOf(key);
    try (WritePipeline pipeline = pipeline(store)) {
      Committed missing = await(pipeline.put(key, bytes("v"), 5L, 0));
      assertEquals(Committed.conflict(shard, 0), missing, "no such key: current version 0");
      assertTrue(store.get(shard, bytes(key)).isEmpty());

      Committed created = await(pipeline.put(key, bytes("v1"), 0L, 0));
      assertFalse(created.conflict(), "0: must not exist, and it did not");
      assertEquals(Committed.conflict(shard, created.version()), await(pipeline.put(key, bytes("v2"), 0L, 0)));
      ShardState before = store.shardState(shard);
      assertEquals(Committed.conflict(shard, created.version()), await(pipeline.delete(key, created.version() + 1)));
      assertEquals(before, store.shardState(shard), "a failed condition changes no state");

      Committed updated = await(pipeline.put(key, bytes("v2"), created.version(), 0));
      assertTrue(updated.version() > created.version(), "versions grow");
      Committed deleted = await(pipeline.delete(key, updated.version()));
      assertTrue(deleted.found() && !deleted.conflict());
      assertTrue(deleted.version() > updated.version(), "a delete takes a revision of its own");
      assertTrue(store.get(shard, bytes(key)).isEmpty());
      Committed gone = await(pipeline.delete(key, 0L));
      assertFalse(gone.found() || gone.conflict(), "a missing key with condition 0 is a plain not-found");
    }
  }

  @Test
  void revisionsIncreaseAcrossShardsOnePerWrite() throws Exception {
    try (WritePipeline pipeline = pipeline(store)) {
      long last = 0;
      for (int i = 0; i < 50; i++) {
        Committed put = await(pipeline.put("key-" + i, bytes("v")));
        assertEquals(last == 0 ? put.version() : last + 1, put.version(), "one revision per write, over all shards");
        last = put.version();
      }
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
