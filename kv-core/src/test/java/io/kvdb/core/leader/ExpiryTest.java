package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARDS;
import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.SUPERVISOR;
import static io.kvdb.core.leader.PipelineFixture.anyDisk;
import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.leader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.BatchDelete;
import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchPut;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.BatchLimits;
import io.kvdb.core.config.Limits;
import io.kvdb.core.request.RequestValidator;
import io.kvdb.core.storage.KeyRange;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.replication.v1.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TTL on the leader, with an injected wall clock: who decides expiry, what the delete may remove, what reads see. */
@Timeout(60)
class ExpiryTest {
  private static final long START_MS = 1_700_000_000_000L;

  @TempDir Path dir;
  private KvStore store;
  private final AtomicLong wallMs = new AtomicLong(START_MS);
  private final List<Event> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private WritePipeline pipeline() {
    return new WritePipeline(store, leader(1), 1000, new BacklogPins(), batch -> events.addAll(SinkEvents.of(batch)),
        store::write, anyDisk(store), () -> 1_000L, wallMs::get, PipelineMetrics.NONE, SUPERVISOR);
  }

  @Test
  void theLeaderDeletesAKeyOnceItsClockPassesTheDeadlineAndReplicatesAConditionalDelete() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      Committed put = await(pipeline.put("session", bytes("x"), null, START_MS + 5_000));
      wallMs.set(START_MS + 4_999);
      await(pipeline.put("other", bytes("y"))); // a batch through the writer, its clock short of the deadline
      assertTrue(stored("session").isPresent(), "not deleted before its deadline");

      wallMs.set(START_MS + 5_000);
      awaitGone(pipeline, "session");
      Event delete = events.get(events.size() - 1);
      assertEquals("session", delete.getKey());
      assertTrue(delete.getDelete(), "the expiry went out as a delete event");
      assertTrue(delete.getRevision() > put.version(), "with its own revision");
    }
  }

  @Test
  void theExpiryDeleteNeverRemovesANewerWriteOfTheKey() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      await(pipeline.put("k", bytes("old"), null, START_MS + 1_000));
      await(pipeline.put("marker", bytes("m"), null, START_MS + 1_000));
      Committed newer = await(pipeline.put("k", bytes("new"))); // no ttl: clears the TTL
      wallMs.set(START_MS + 1_000);
      awaitGone(pipeline, "marker"); // both deadlines are taken in the same scan
      StoredValue kept = stored("k").orElseThrow(() -> new AssertionError("the newer write was deleted"));
      assertEquals(newer.version(), kept.version());
      assertEquals(0, kept.expiresAtMs(), "a put without ttl_seconds cleared the TTL");
      assertTrue(events.stream().noneMatch(e -> e.getKey().equals("k") && e.getDelete()), "no delete event for k");
    }
  }

  @Test
  void readsHideAnExpiredKeyBeforeItsDeleteHasRun() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      await(pipeline.put("gone", bytes("g"), null, START_MS + 2_000));
      await(pipeline.put("kept", bytes("k"), null, START_MS + 60_000));
    }
    // The writer is stopped: nothing deletes the key, and still no read returns it past its deadline.
    long after = START_MS + 2_000;
    assertTrue(stored("gone").isPresent());
    assertTrue(stored("gone").orElseThrow().expiredAt(after));
    KeyRange.Page page = KeyRange.list(store, null, SHARDS, shard -> true, new byte[0], new byte[0], 100, false,
        Long.MAX_VALUE, after);
    assertEquals(List.of("kept"), page.items().stream().map(KeyRange.Pair::keyString).toList());
    KeyRange.Page before = KeyRange.list(store, null, SHARDS, shard -> true, new byte[0], new byte[0], 100, false,
        Long.MAX_VALUE, after - 1);
    assertEquals(2, before.items().size(), "a key is listed until its deadline");

    wallMs.set(after);
    // A pipeline whose batches all fail: its expiry delete cannot run, the key stays stored.
    try (WritePipeline pipeline = new WritePipeline(store, leader(1), 1000, new BacklogPins(), EventSink.NONE,
        batch -> {
          throw new IllegalStateException("this test's disk takes no writes");
        }, anyDisk(store), () -> 1_000L, wallMs::get, PipelineMetrics.NONE, SUPERVISOR)) {
      KvService service = new KvService(store, SHARD_OF, pipeline, Replicas.none(0), Limits.DEFAULT, 1000,
          Runnable::run);
      GetResponse kept = service.get(GetRequest.newBuilder().setKey("kept").build());
      assertEquals(58_000, kept.getTtlRemainingMs());
      StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
          () -> service.get(GetRequest.newBuilder().setKey("gone").build()));
      assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
      assertTrue(stored("gone").isPresent(), "hidden while still stored");
    }
  }

  @Test
  void ttlSecondsSetsTheDeadlineByTheLeadersWallClockAndBadValuesAreInvalid() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      KvService service = new KvService(store, SHARD_OF, pipeline, Replicas.none(0), Limits.DEFAULT, 1000,
          Runnable::run);
      service.put(put("t").setTtlSeconds(30).build(), Context.current()).get(10, TimeUnit.SECONDS);
      assertEquals(START_MS + 30_000, stored("t").orElseThrow().expiresAtMs());
      assertEquals(30_000, service.get(GetRequest.newBuilder().setKey("t").build()).getTtlRemainingMs());
      service.put(put("t").build(), Context.current()).get(10, TimeUnit.SECONDS);
      assertEquals(0, service.get(GetRequest.newBuilder().setKey("t").build()).getTtlRemainingMs());
      for (long bad : new long[] {0, -1, Ttl.MAX_SECONDS + 1}) {
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> service.put(put("t").setTtlSeconds(bad).build(), Context.current()).get(10, TimeUnit.SECONDS));
        Status status = Status.fromThrowable(failed.getCause());
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), "ttl_seconds " + bad);
        assertTrue(status.getDescription().contains("ttl_seconds"), status.getDescription());
      }
    }
  }

  @Test
  void aBatchsTtlPutExpiresAsAPutsDoesAndItsPlainPutClearsATtl() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      BatchCalls calls = new BatchCalls(pipeline, new RequestValidator(Limits.DEFAULT), BatchLimits.DEFAULT);
      KvService service = new KvService(store, SHARD_OF, pipeline, Replicas.none(0), Limits.DEFAULT, 1000,
          Runnable::run);
      await(pipeline.put("renewed", bytes("old"), null, START_MS + 5_000));
      await(pipeline.put("dropped", bytes("old"), null, START_MS + 5_000));
      BatchResponse done = batch(calls, ttlPut("session", 5), plainPut("renewed"),
          BatchOp.newBuilder().setDelete(BatchDelete.newBuilder().setKey("dropped")).build());
      assertEquals(START_MS + 5_000, stored("session").orElseThrow().expiresAtMs(), "from the leader's wall clock");
      assertEquals(5_000, service.get(GetRequest.newBuilder().setKey("session").build()).getTtlRemainingMs());
      assertEquals(0, stored("renewed").orElseThrow().expiresAtMs(), "a batch's put without ttl_seconds cleared the TTL");
      assertEquals(0, service.get(GetRequest.newBuilder().setKey("renewed").build()).getTtlRemainingMs());
      Committed again = await(pipeline.put("dropped", bytes("new"))); // after the batch's delete, without a TTL

      wallMs.set(START_MS + 5_000);
      awaitGone(pipeline, "session");
      Event expired = events.stream().filter(e -> e.getKey().equals("session") && e.getDelete()).findFirst()
          .orElseThrow(() -> new AssertionError("no delete event for the expired key"));
      assertTrue(expired.getRevision() > done.getResults(0).getVersion());
      assertEquals(again.version(), stored("dropped").orElseThrow().version(),
          "the old deadline of a key the batch deleted removes nothing written later");
      assertTrue(stored("renewed").isPresent(), "the cleared TTL deleted nothing");
      assertFalse(events.stream().anyMatch(e -> e.getKey().equals("renewed") && e.getDelete()));

      for (long bad : new long[] {0, -1, Ttl.MAX_SECONDS + 1}) {
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> calls.batch(BatchRequest.newBuilder().addOps(plainPut("ok")).addOps(ttlPut("t", bad)).build())
                .get(10, TimeUnit.SECONDS));
        Status status = Status.fromThrowable(failed.getCause());
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), "ttl_seconds " + bad);
        assertTrue(status.getDescription().startsWith("op 1: ttl_seconds must be 1 to "), status.getDescription());
      }
      assertTrue(stored("ok").isEmpty(), "a batch with a bad TTL wrote nothing");
    }
  }

  @Test
  void keysWithATtlStillExpireAfterARestart() throws Exception {
    try (WritePipeline pipeline = pipeline()) {
      await(pipeline.put("survivor", bytes("s"), null, START_MS + 3_000));
    }
    wallMs.set(START_MS + 3_000);
    try (WritePipeline restarted = pipeline()) {
      awaitGone(restarted, "survivor");
    }
  }

  /** Waits (bounded) until the writer has deleted {@code key}; each put of a probe key drives one batch. */
  private void awaitGone(WritePipeline pipeline, String key) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stored(key).isPresent()) {
      if (System.nanoTime() > deadline) {
        fail(key + " was not deleted within 10 s of its deadline passing");
      }
      // The scan runs every ExpiryScan.INTERVAL_MS of the wall clock: move it on, as time would.
      wallMs.addAndGet(ExpiryScan.INTERVAL_MS);
      await(pipeline.put("probe", bytes("p")));
    }
  }

  private static BatchResponse batch(BatchCalls calls, BatchOp... ops) throws Exception {
    return calls.batch(BatchRequest.newBuilder().addAllOps(List.of(ops)).build()).get(10, TimeUnit.SECONDS);
  }

  private static BatchOp ttlPut(String key, long ttlSeconds) {
    return BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"))
        .setTtlSeconds(ttlSeconds)).build();
  }

  private static BatchOp plainPut(String key) {
    return BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"))).build();
  }

  private Optional<StoredValue> stored(String key) {
    return store.get(SHARD_OF.shardOf(key), bytes(key));
  }

  private static PutRequest.Builder put(String key) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
