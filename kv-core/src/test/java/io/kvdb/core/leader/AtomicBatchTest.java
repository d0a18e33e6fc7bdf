package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.keysInShard;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.BatchDelete;
import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchPut;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.config.BatchLimits;
import io.kvdb.core.config.Limits;
import io.kvdb.core.request.RequestValidator;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Atomic batches on the writer thread and their checks: all or nothing, each key once, limits, conditions. */
@Timeout(60)
class AtomicBatchTest {
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
  void oneFailedConditionWritesNothingAndAGoodBatchWritesAll() throws Exception {
    String a = keysInShard(1, 1).get(0);
    String b = keysInShard(2, 1).get(0);
    String c = keysInShard(3, 1).get(0);
    try (WritePipeline pipeline = pipeline(store)) {
      long version = await(pipeline.put(a, bytes("a1"))).version();
      List<ShardState> before = states();

      BatchOutcome failed = awaitBatch(pipeline.batch(List.of(BatchWrite.put(b, bytes("b1"), null, 0),
          BatchWrite.put(c, bytes("c1"), 0L, 0), BatchWrite.delete(a, version + 7))));
      assertTrue(failed.conflict());
      assertEquals(2, failed.failedIndex(), "the third op's condition failed");
      assertEquals(version, failed.currentVersion());
      assertTrue(store.get(2, bytes(b)).isEmpty() && store.get(3, bytes(c)).isEmpty(), "nothing written");
      assertEquals(before, states(), "no shard's seq, digest or key count changed");

      String missing = keysInShard(4, 1).get(0);
      BatchOutcome done = awaitBatch(pipeline.batch(List.of(BatchWrite.put(b, bytes("b1"), null, 0),
          BatchWrite.put(c, bytes("c1"), 0L, 0), BatchWrite.delete(a, version), BatchWrite.delete(missing, null))));
      assertFalse(done.conflict());
      List<Committed> results = done.results();
      assertEquals(4, results.size());
      assertEquals(version + 1, results.get(0).version(), "one revision per changed key, in op order");
      assertEquals(version + 2, results.get(1).version());
      assertEquals(version + 3, results.get(2).version());
      assertEquals(version + 3, done.revision(), "the batch's revision is its highest");
      assertEquals(Committed.notFound(4), results.get(3), "a delete of a missing key is a no-op");
      assertArrayEquals(bytes("b1"), store.get(2, bytes(b)).orElseThrow().value());
      assertEquals(version + 2, store.get(3, bytes(c)).orElseThrow().version());
      assertTrue(store.get(1, bytes(a)).isEmpty());
      assertEquals(0, store.shardState(4).seq(), "the no-op took no seq");
    }
  }

  @Test
  void conditionsSeeTheEarlierWritesOfTheSameGroupCommit() throws Exception {
    GatedCommitter gate = new GatedCommitter(store);
    List<String> keys = keysInShard(3, 3);
    String counter = keys.get(0);
    String other = keysInShard(5, 1).get(0);
    long version;
    try (WritePipeline pipeline = pipeline(store)) {
      version = await(pipeline.put(counter, bytes("0"))).version();
    }
    try (WritePipeline pipeline = pipeline(store, 2, 1000, new BacklogPins(), EventSink.NONE, gate)) {
      CompletableFuture<Committed> blocker = pipeline.put(keys.get(1), bytes("holds the writer"));
      gate.awaitBlocked();
      // All three read `version`; they queue up and form one group commit.
      CompletableFuture<Committed> single = pipeline.put(counter, bytes("1 from a put"), version, 0);
      CompletableFuture<BatchOutcome> batch = pipeline.batch(List.of(BatchWrite.put(other, bytes("x"), null, 0),
          BatchWrite.put(counter, bytes("1 from a batch"), version, 0)));
      CompletableFuture<BatchOutcome> second = pipeline.batch(List.of(BatchWrite.put(keys.get(2), bytes("y"), 0L, 0),
          BatchWrite.delete(counter, version)));
      gate.open();
      await(blocker);
      Committed put = await(single);
      BatchOutcome lost = awaitBatch(batch);
      BatchOutcome lostToo = awaitBatch(second);
      assertEquals(2, gate.commits(), "the put and both batches went in one group commit");
      assertFalse(put.conflict());
      assertEquals(new BatchOutcome(List.of(), 1, put.version()), lost, "the batch saw the put of its group commit");
      assertEquals(new BatchOutcome(List.of(), 1, put.version()), lostToo);
      assertTrue(store.get(5, bytes(other)).isEmpty(), "the failed batch's other put was not written");
      assertTrue(store.get(3, bytes(keys.get(2))).isEmpty());
      assertArrayEquals(bytes("1 from a put"), store.get(3, bytes(counter)).orElseThrow().value());
    }
  }

  @Test
  void callsAreCheckedBeforeAnythingIsQueued() throws Exception {
    try (WritePipeline pipeline = new WritePipeline(store, PipelineFixture.leader(1), 1000, new BacklogPins(),
        EventSink.NONE, store::write, PipelineFixture.anyDisk(store), () -> 1_000L, () -> 5_000L, PipelineMetrics.NONE,
        PipelineFixture.SUPERVISOR)) {
      BatchCalls calls = new BatchCalls(pipeline, new RequestValidator(Limits.DEFAULT), new BatchLimits(3, 200));
      assertStatus(Status.Code.INVALID_ARGUMENT, "appears twice", calls.batch(request(put("k", "1"), delete("k"))));
      assertStatus(Status.Code.INVALID_ARGUMENT, "at least one op", calls.batch(BatchRequest.getDefaultInstance()));
      assertStatus(Status.Code.RESOURCE_EXHAUSTED, "--max-batch-ops",
          calls.batch(request(put("a", "1"), put("b", "1"), put("c", "1"), put("d", "1"))));
      assertStatus(Status.Code.RESOURCE_EXHAUSTED, "--max-batch-bytes", calls.batch(request(put("a", "v".repeat(300)))));
      assertStatus(Status.Code.INVALID_ARGUMENT, "op 1: key is empty", calls.batch(request(put("a", "1"), delete(""))));
      assertStatus(Status.Code.INVALID_ARGUMENT, "op 0: is neither",
          calls.batch(BatchRequest.newBuilder().addOps(BatchOp.getDefaultInstance()).build()));
      assertTrue(store.get(SHARD_OF.shardOf("a"), bytes("a")).isEmpty(), "no refused batch wrote anything");

      BatchResponse done = calls.batch(request(BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey("a")
          .setValue(ByteString.copyFromUtf8("1")).setTtlSeconds(3)).build(), delete("gone"))).get(10, TimeUnit.SECONDS);
      assertEquals(2, done.getResultsCount());
      assertEquals(done.getRevision(), done.getResults(0).getVersion());
      assertTrue(done.getResults(0).getFound() && !done.getResults(1).getFound());
      assertEquals(8_000L, store.get(SHARD_OF.shardOf("a"), bytes("a")).orElseThrow().expiresAtMs(),
          "ttl_seconds from the leader's wall clock");

      CompletableFuture<BatchResponse> conflict = calls.batch(request(put("b", "1"),
          BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey("a").setExpectedVersion(done.getRevision() + 1)).build()));
      StatusRuntimeException error = assertStatus(Status.Code.FAILED_PRECONDITION, "op 1", conflict);
      assertEquals(1, ErrorReasons.failedIndexOf(error).orElseThrow());
      assertEquals(done.getRevision(), ErrorReasons.currentVersionOf(error).orElseThrow());
      assertTrue(store.get(SHARD_OF.shardOf("b"), bytes("b")).isEmpty());
    }
  }

  private static StatusRuntimeException assertStatus(Status.Code code, String saying,
      CompletableFuture<BatchResponse> reply) {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> reply.get(10, TimeUnit.SECONDS));
    StatusRuntimeException status = (StatusRuntimeException) failed.getCause();
    assertEquals(code, status.getStatus().getCode(), status.toString());
    assertTrue(status.getStatus().getDescription().contains(saying), status.getStatus().getDescription());
    return status;
  }

  private static BatchRequest request(BatchOp... ops) {
    return BatchRequest.newBuilder().addAllOps(List.of(ops)).build();
  }

  private static BatchOp put(String key, String value) {
    return BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value))).build();
  }

  private static BatchOp delete(String key) {
    return BatchOp.newBuilder().setDelete(BatchDelete.newBuilder().setKey(key)).build();
  }

  private List<ShardState> states() {
    List<ShardState> states = new ArrayList<>();
    for (int shard = 0; shard < PipelineFixture.SHARDS; shard++) {
      states.add(store.shardState(shard));
    }
    return states;
  }

  private static BatchOutcome awaitBatch(CompletableFuture<BatchOutcome> reply) throws Exception {
    return reply.get(10, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
