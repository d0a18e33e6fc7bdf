package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.kvdb.core.storage.StoredValue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's Get and List with and without allow_stale, on a real data dir through in-process
 * gRPC: which copies each serves, the applied seq and stale flag read with the data, KEY_NOT_FOUND
 * with the copy read, and the List shards filter.
 */
@Timeout(60)
class FollowerStaleReadsTest {
  private static final int SHARDS = 4;
  private static final int LIVE = 0;
  private static final int STALE = 1;
  private static final int ALSO_STALE = 2;
  private static final int NOT_HELD = 3;

  @TempDir Path dir;
  private final ShardFunction shardFunction = new ShardFunction(SHARDS);
  private final AtomicReference<FollowerReadService.Readable> view = new AtomicReference<>(
      new FollowerReadService.Readable(SHARDS, shard -> shard == LIVE, Set.of(LIVE, STALE, ALSO_STALE)::contains, 0,
          io.kvdb.core.config.Limits.DEFAULT));
  private KvStore store;
  private Server server;
  private ManagedChannel channel;
  private FollowerGrpc.FollowerBlockingStub follower;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    for (int shard = 0; shard < SHARDS; shard++) {
      for (int n = 0; n < 3; n++) {
        write(shard, keyIn(shard, n), "value-" + n, 10L * shard + n + 1);
      }
    }
    FollowerReadService reads = new FollowerReadService(store, view::get, FollowerStatusResponse::getDefaultInstance);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(reads).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    follower = FollowerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  @Test
  void aStaleCopyIsServedOnlyToReadsThatAllowIt() {
    String key = keyIn(STALE, 2);

    GetResponse stale = follower.get(GetRequest.newBuilder().setKey(key).setAllowStale(true).build());

    assertEquals("value-2", stale.getValue().toStringUtf8());
    assertTrue(stale.getStale());
    assertEquals(13, stale.getAppliedSeq(), "the shard's applied seq");
    assertEquals(STALE, stale.getShard());
    StatusRuntimeException e = assertCode(Status.Code.FAILED_PRECONDITION,
        () -> follower.get(GetRequest.newBuilder().setKey(key).build()));
    assertTrue(e.getStatus().getDescription().contains("shard " + STALE), e.getStatus().getDescription());
  }

  @Test
  void aLiveCopyIsNotStaleWithOrWithoutAllowStale() {
    for (boolean allowStale : new boolean[] {false, true}) {
      GetResponse live = follower.get(GetRequest.newBuilder().setKey(keyIn(LIVE, 1)).setAllowStale(allowStale).build());
      assertEquals("value-1", live.getValue().toStringUtf8());
      assertFalse(live.getStale());
      assertEquals(3, live.getAppliedSeq());
    }
  }

  @Test
  void aShardWithoutACompleteCopyIsRefusedEvenToStaleReads() {
    StatusRuntimeException e = assertCode(Status.Code.FAILED_PRECONDITION,
        () -> follower.get(GetRequest.newBuilder().setKey(keyIn(NOT_HELD, 0)).setAllowStale(true).build()));
    assertTrue(e.getStatus().getDescription().contains("no complete copy"), e.getStatus().getDescription());
  }

  @Test
  void aMissingKeyIsKeyNotFoundWithTheCopyThatWasRead() {
    String missingStale = keyIn(STALE, 7);
    StatusRuntimeException stale = assertCode(Status.Code.NOT_FOUND,
        () -> follower.get(GetRequest.newBuilder().setKey(missingStale).setAllowStale(true).build()));
    assertTrue(ErrorReasons.hasReason(stale, ErrorReasons.KEY_NOT_FOUND));
    assertEquals(Optional.of("13"), ErrorReasons.metadataOf(stale, ErrorReasons.APPLIED_SEQ));
    assertEquals(Optional.of("true"), ErrorReasons.metadataOf(stale, ErrorReasons.STALE));
    assertTrue(stale.getStatus().getDescription().contains(missingStale), stale.getStatus().getDescription());

    StatusRuntimeException live = assertCode(Status.Code.NOT_FOUND,
        () -> follower.get(GetRequest.newBuilder().setKey(keyIn(LIVE, 7)).build()));
    assertEquals(Optional.of("3"), ErrorReasons.metadataOf(live, ErrorReasons.APPLIED_SEQ));
    assertEquals(Optional.of("false"), ErrorReasons.metadataOf(live, ErrorReasons.STALE));
  }

  @Test
  void theAppliedSeqIsReadWithTheValueWhileWritesGoOn() throws Exception {
    String key = keyIn(STALE, 0);
    int writes = 3_000;
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread writer = new Thread(() -> {
      for (long seq = 100; seq < 100 + writes && !stop.get(); seq++) {
        write(STALE, key, "at-" + seq, seq);
      }
    }, "test-writer");
    writer.start();
    int checked = 0;
    try {
      while (writer.isAlive()) {
        GetResponse got = follower.get(GetRequest.newBuilder().setKey(key).setAllowStale(true).build());
        if (got.getAppliedSeq() >= 100) {
          assertEquals("at-" + got.getAppliedSeq(), got.getValue().toStringUtf8(), "value and applied seq of one read");
          checked++;
        }
        ListResponse page = follower.list(ListRequest.newBuilder().addShards(STALE).setAllowStale(true).build());
        long listedSeq = page.getAppliedSeqs(0).getSeq();
        if (listedSeq >= 100) {
          String value = page.getItemsList().stream().filter(item -> item.getKey().equals(key)).findFirst()
              .orElseThrow().getValue().toStringUtf8();
          assertEquals("at-" + listedSeq, value, "page and applied seq of one read");
        }
      }
    } finally {
      stop.set(true); // the store is closed after the test: no write may be under way then
      writer.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertTrue(checked > 0, "some reads saw the writes");
  }

  @Test
  void listWithAShardsFilterReadsOnlyThoseShards() {
    ListResponse stale = follower.list(ListRequest.newBuilder().addShards(ALSO_STALE).addShards(STALE)
        .setAllowStale(true).build());
    assertEquals(keysOf(STALE, ALSO_STALE), keys(stale));
    assertTrue(stale.getStale());
    assertEquals(List.of(seq(STALE, 13), seq(ALSO_STALE, 23)), stale.getAppliedSeqsList(), "in shard order");

    ListResponse live = follower.list(ListRequest.newBuilder().addShards(LIVE).build());
    assertEquals(keysOf(LIVE), keys(live));
    assertFalse(live.getStale());
    assertEquals(List.of(seq(LIVE, 3)), live.getAppliedSeqsList());
  }

  @Test
  void listWithoutAFilterReadsEveryShardServed() {
    ListResponse stale = follower.list(ListRequest.newBuilder().setAllowStale(true).build());
    assertEquals(keysOf(LIVE, STALE, ALSO_STALE), keys(stale));
    assertTrue(stale.getStale());
    assertEquals(List.of(seq(LIVE, 3), seq(STALE, 13), seq(ALSO_STALE, 23)), stale.getAppliedSeqsList());

    ListResponse live = follower.list(ListRequest.newBuilder().build());
    assertEquals(keysOf(LIVE), keys(live), "without allow_stale: the live shards only, as before");
    assertFalse(live.getStale());
  }

  @Test
  void listOfAShardNotServedIsRefusedNamingIt() {
    StatusRuntimeException notHeld = assertCode(Status.Code.FAILED_PRECONDITION, () -> follower.list(
        ListRequest.newBuilder().addShards(STALE).addShards(NOT_HELD).setAllowStale(true).build()));
    assertTrue(notHeld.getStatus().getDescription().startsWith("shard " + NOT_HELD + " "),
        notHeld.getStatus().getDescription());
    StatusRuntimeException notLive = assertCode(Status.Code.FAILED_PRECONDITION,
        () -> follower.list(ListRequest.newBuilder().addShards(LIVE).addShards(STALE).build()));
    assertTrue(notLive.getStatus().getDescription().startsWith("shard " + STALE + " "),
        notLive.getStatus().getDescription());
    StatusRuntimeException outOfRange = assertCode(Status.Code.INVALID_ARGUMENT,
        () -> follower.list(ListRequest.newBuilder().addShards(SHARDS).setAllowStale(true).build()));
    assertTrue(outOfRange.getStatus().getDescription().contains("does not exist"),
        outOfRange.getStatus().getDescription());
  }

  @Test
  void aShardThatLeavesTheViewDuringAStaleReadIsNotAnsweredFromIt() {
    // Readable at the first look, withdrawn (its data then dropped) before the read answers.
    FollowerReadService.Readable readable = view.get();
    FollowerReadService.Readable withdrawn = new FollowerReadService.Readable(SHARDS, shard -> shard == LIVE,
        shard -> shard == LIVE, 1, readable.limits());
    AtomicReference<Integer> looks = new AtomicReference<>(0);
    FollowerReadService service = new FollowerReadService(store, () -> looks.getAndUpdate(n -> n + 1) == 0
        ? readable : withdrawn, FollowerStatusResponse::getDefaultInstance);
    AtomicReference<Throwable> error = new AtomicReference<>();
    service.get(GetRequest.newBuilder().setKey(keyIn(STALE, 0)).setAllowStale(true).build(),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(GetResponse value) {}

          @Override
          public void onError(Throwable t) {
            error.set(t);
          }

          @Override
          public void onCompleted() {}
        });
    assertEquals(Status.Code.FAILED_PRECONDITION, Status.fromThrowable(error.get()).getCode());
  }

  private void write(int shard, String key, String value, long seq) {
    try (StoreBatch batch = store.newBatch()) {
      batch.putData(shard, key.getBytes(StandardCharsets.UTF_8), new StoredValue(value.getBytes(StandardCharsets.UTF_8), 0, 0));
      batch.putShardState(shard, new ShardState(seq, 1, 0, 0));
      store.write(batch);
    }
  }

  private String keyIn(int shard, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (shardFunction.shardOf(key.getBytes(StandardCharsets.UTF_8)) == shard && found++ == n) {
        return key;
      }
    }
  }

  private List<String> keysOf(Integer... shards) {
    return List.of(shards).stream().flatMap(shard -> List.of(0, 1, 2).stream().map(n -> keyIn(shard, n)))
        .sorted().toList();
  }

  private static List<String> keys(ListResponse page) {
    return page.getItemsList().stream().map(KeyValue::getKey).toList();
  }

  private static ShardSeq seq(int shard, long seq) {
    return ShardSeq.newBuilder().setShard(shard).setSeq(seq).build();
  }

  private static StatusRuntimeException assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    return e;
  }
}
