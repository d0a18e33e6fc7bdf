package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARDS;
import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.keysInShard;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import java.nio.charset.StandardCharsets;
import org.iq80.leveldb.DBException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WritePipelineTest {
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
  void seqsOfEachShardAreConsecutiveFromOne() throws Exception {
    Map<Integer, List<Long>> seqsByShard = new HashMap<>();
    try (WritePipeline pipeline = pipeline(store)) {
      List<CompletableFuture<Committed>> replies = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        replies.add(pipeline.put("k" + (i % 97), bytes("v" + i)));
      }
      for (CompletableFuture<Committed> reply : replies) {
        Committed committed = await(reply);
        seqsByShard.computeIfAbsent(committed.shard(), s -> new ArrayList<>()).add(committed.seq());
      }
      for (int shard = 0; shard < SHARDS; shard++) {
        List<Long> seqs = seqsByShard.getOrDefault(shard, List.of());
        for (int i = 0; i < seqs.size(); i++) {
          assertEquals(i + 1, seqs.get(i), "shard " + shard + " seqs " + seqs);
        }
        assertEquals(seqs.size(), pipeline.head(shard).seq());
        assertEquals(pipeline.head(shard), store.shardState(shard), "the stored state is the head");
      }
    }
    assertEquals(SHARDS, seqsByShard.size(), "the writes reached every shard");
  }

  @Test
  void writeReportsItsShardSeqAndEpoch() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 7, 1000, new BacklogPins(), EventSink.NONE, store::write)) {
      Committed committed = await(pipeline.put("some key", bytes("v")));
      // The first revision of a run is its floor: epoch x 1024.
      assertEquals(Committed.written(SHARD_OF.shardOf("some key"), 1, 7, 7 * 1024), committed);
    }
  }

  @Test
  void deleteOfMissingKeyTakesNoSeq() throws Exception {
    List<String> keys = keysInShard(3, 3);
    try (WritePipeline pipeline = pipeline(store)) {
      assertEquals(1, await(pipeline.put(keys.get(0), bytes("v"))).seq());
      ShardState before = pipeline.head(3);
      Committed missing = await(pipeline.delete(keys.get(1)));
      assertFalse(missing.found());
      assertEquals(0, missing.seq());
      assertEquals(3, missing.shard());
      assertEquals(before, pipeline.head(3));
      assertEquals(before, store.shardState(3));
      assertEquals(2, await(pipeline.put(keys.get(2), bytes("v"))).seq(), "no gap after the not-found delete");
    }
  }

  @Test
  void deleteOfPresentKeyRemovesItAndTakesASeq() throws Exception {
    try (WritePipeline pipeline = pipeline(store)) {
      Committed put = await(pipeline.put("k", bytes("v")));
      Committed delete = await(pipeline.delete("k"));
      assertTrue(delete.found());
      assertEquals(put.seq() + 1, delete.seq());
      assertTrue(store.get(put.shard(), bytes("k")).isEmpty());
      assertEquals(0, pipeline.head(put.shard()).keys());
      assertEquals(0, pipeline.head(put.shard()).digest());
    }
  }

  @Test
  void existenceCheckSeesEarlierWritesOfTheSameBatch() throws Exception {
    GatedCommitter gate = new GatedCommitter(store);
    List<String> keys = keysInShard(5, 3);
    String x = keys.get(0);
    String y = keys.get(1);
    try (WritePipeline pipeline = pipeline(store, 1, 1000, new BacklogPins(), EventSink.NONE, gate)) {
      CompletableFuture<Committed> first = pipeline.put(keys.get(2), bytes("first batch"));
      gate.awaitBlocked();
      // The writer is stuck in the first commit: everything below queues up and forms one batch.
      List<CompletableFuture<Committed>> batch = List.of(
          pipeline.put(x, bytes("x1")),
          pipeline.delete(x),
          pipeline.delete(x),
          pipeline.put(x, bytes("x2")),
          pipeline.delete(y),
          pipeline.put(y, bytes("y1")),
          pipeline.put(y, bytes("y2")));
      gate.open();
      assertEquals(1, await(first).seq());
      List<Committed> outcomes = new ArrayList<>();
      for (CompletableFuture<Committed> reply : batch) {
        outcomes.add(await(reply));
      }
      assertEquals(2, gate.commits(), "the queued writes went in one batch");
      assertEquals(List.of(
          Committed.written(5, 2, 1, 1025),    // put x (the first batch's write had revision 1024)
          Committed.written(5, 3, 1, 1026),    // delete x: sees the put above
          Committed.notFound(5),               // delete x again: sees the delete above (no revision)
          Committed.written(5, 4, 1, 1027),    // put x again
          Committed.notFound(5),               // delete y: never existed
          Committed.written(5, 5, 1, 1028),    // put y
          Committed.written(5, 6, 1, 1029)),   // overwrite y
          outcomes);
      assertArrayEquals(bytes("x2"), store.get(5, bytes(x)).orElseThrow().value());
      assertEquals(1027, store.get(5, bytes(x)).orElseThrow().version());
      assertArrayEquals(bytes("y2"), store.get(5, bytes(y)).orElseThrow().value());
      assertEquals(1029, store.get(5, bytes(y)).orElseThrow().version());
      ShardState head = store.shardState(5);
      assertEquals(3, head.keys(), "first, x and y");
      assertEquals(digestOfShard(5), head.digest());
    }
  }

  @Test
  void storedDigestsEqualDigestsRecomputedFromTheData() throws Exception {
    Random random = new Random(11);
    try (WritePipeline pipeline = pipeline(store)) {
      List<CompletableFuture<Committed>> replies = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String key = "k" + random.nextInt(200);
        replies.add(random.nextInt(4) == 0 ? pipeline.delete(key) : pipeline.put(key, bytes("v" + random.nextInt())));
      }
      for (CompletableFuture<Committed> reply : replies) {
        await(reply);
      }
    }
    for (int shard = 0; shard < SHARDS; shard++) {
      ShardState state = store.shardState(shard);
      assertEquals(digestOfShard(shard), state.digest(), "shard " + shard);
      assertEquals(countKeys(shard), state.keys(), "shard " + shard);
    }
  }

  @Test
  void restartContinuesTheSeqsWithTheNewEpoch() throws Exception {
    List<String> keys = keysInShard(2, 2);
    try (WritePipeline pipeline = pipeline(store)) {
      await(pipeline.put(keys.get(0), bytes("v")));
    }
    try (WritePipeline pipeline = pipeline(store, 2, 1000, new BacklogPins(), EventSink.NONE, store::write)) {
      assertEquals(1, pipeline.head(2).seq(), "the head is read back from the store");
      Committed second = await(pipeline.put(keys.get(1), bytes("v")));
      assertEquals(Committed.written(2, 2, 2, second.version()), second);
      assertEquals(2, pipeline.head(2).seqEpoch());
    }
  }

  @Test
  void afterARestartEveryStoredKeyCountsForConditionsDeletesAndTheKeyCount() throws Exception {
    // What a writer that skipped the read of keys it believed new would break first (a put "only
    // if absent" over a stored key, a delete answered not-found, a wrong key count).
    List<String> keys = keysInShard(3, 200);
    List<Long> versions = new ArrayList<>();
    try (WritePipeline pipeline = pipeline(store)) {
      for (String key : keys) {
        versions.add(await(pipeline.put(key, bytes("v"))).version());
      }
    }
    try (WritePipeline pipeline = pipeline(store, 2, 1000, new BacklogPins(), EventSink.NONE, store::write)) {
      for (int i = 0; i < keys.size(); i += 2) {
        assertEquals(Committed.conflict(3, versions.get(i)), await(pipeline.put(keys.get(i), bytes("w"), 0L, 0)),
            "a put of " + keys.get(i) + " only if it does not exist");
      }
      for (int i = 1; i < keys.size(); i += 2) {
        assertTrue(await(pipeline.delete(keys.get(i))).found(), "delete of " + keys.get(i));
      }
      assertEquals(keys.size() / 2, pipeline.head(3).keys());
    }
  }

  @Test
  void failedCommitAnswersUnavailableAndChangesNothing() throws Exception {
    boolean[] fail = {true};
    WritePipeline.BatchCommitter flaky = batch -> {
      if (fail[0]) {
        throw new DBException("IO error: disk full"); // what LevelDB throws when a write fails
      }
      store.write(batch);
    };
    try (WritePipeline pipeline = pipeline(store, 1, 1000, new BacklogPins(), EventSink.NONE, flaky)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> await(pipeline.put("k", bytes("v"))));
      StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, e.getCause());
      assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
      assertTrue(status.getStatus().getDescription().contains("disk full"), status.getStatus().getDescription());
      int shard = SHARD_OF.shardOf("k");
      assertEquals(ShardState.EMPTY, pipeline.head(shard));
      assertTrue(store.get(shard, bytes("k")).isEmpty());
      fail[0] = false;
      assertEquals(1, await(pipeline.put("k", bytes("v"))).seq(), "the failed write used no seq");
    }
  }

  @Test
  void writeRefusedForDiskSpaceIsResourceExhaustedAndChangesNothing() throws Exception {
    long reserve = 100L << 20;
    long[] free = {reserve + 1000}; // a few bytes over the reserve: a batch of ~3x its size eats into it
    try (WritePipeline pipeline = pipeline(store, reserve, free)) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> await(pipeline.put("k", new byte[400])));
      StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, e.getCause());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getStatus().getCode());
      assertTrue(status.getStatus().getDescription().contains("--min-free-disk"), status.getStatus().getDescription());
      assertEquals(ShardState.EMPTY, pipeline.head(SHARD_OF.shardOf("k")));
      assertTrue(store.get(SHARD_OF.shardOf("k"), bytes("k")).isEmpty(), "nothing of the refused batch was written");
      free[0] = reserve + (10L << 20); // space freed
      assertEquals(1, await(pipeline.put("k", new byte[400])).seq(), "the refused write used no seq");
    }
  }

  @Test
  void writesAfterCloseAreRefusedAsUnavailable() {
    WritePipeline pipeline = pipeline(store);
    pipeline.close();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> await(pipeline.put("k", bytes("v"))));
    StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, e.getCause());
    assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
  }

  @Test
  void closeFinishesTheQueuedWrites() throws Exception {
    List<CompletableFuture<Committed>> replies = new ArrayList<>();
    try (WritePipeline pipeline = pipeline(store)) {
      for (int i = 0; i < 100; i++) {
        replies.add(pipeline.put("k" + i, bytes("v")));
      }
    }
    for (CompletableFuture<Committed> reply : replies) {
      assertTrue(reply.isDone(), "close returned before a queued write was answered");
      assertTrue(reply.get().found());
    }
  }

  private long digestOfShard(int shard) {
    long sum = 0;
    try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
      while (cursor.next()) {
        sum += Digest.of(cursor.key(), cursor.stored());
      }
    }
    return sum;
  }

  private long countKeys(int shard) {
    long count = 0;
    try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
      while (cursor.next()) {
        count++;
      }
    }
    return count;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
