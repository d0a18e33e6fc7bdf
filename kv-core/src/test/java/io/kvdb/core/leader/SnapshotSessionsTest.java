package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.TinyPairs;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot sessions over a real store, without sockets: each belongs to the follower that started
 * it, at most the cap are open, and starts beyond it wait and are served oldest first.
 */
class SnapshotSessionsTest {
  private static final int CAP = 2;

  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private final BacklogPins pins = new BacklogPins();
  private SnapshotSource source;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    pipeline = PipelineFixture.pipeline(store, 1, 1000, pins, EventSink.NONE, store::write);
    for (int shard = 0; shard < PipelineFixture.SHARDS; shard++) {
      PipelineFixture.keysInShard(shard, 1).forEach(key ->
          pipeline.put(key, "v".getBytes(StandardCharsets.UTF_8)).join());
    }
    source = new SnapshotSource(store, pipeline::head, pins, 60_000, CAP);
  }

  @AfterEach
  void close() {
    source.close();
    pipeline.close();
    store.close();
  }

  @Test
  void startsBeyondTheCapWaitAndAreServedOldestFirstAsSessionsEnd() {
    for (int shard = 0; shard < 5; shard++) {
      assertTrue(source.next("f1", start(shard), 0).isEmpty());
    }
    List<SnapshotSource.Reply> first = source.admit(0);
    assertEquals(List.of(0, 1), first.stream().map(r -> r.chunk().getShard()).toList(), "the two oldest starts");
    assertEquals(CAP, source.openSessions());
    assertEquals(CAP, pins.size(), "one pin per open session, none for the waiting");
    assertEquals(3, source.waiting());
    assertTrue(source.admit(0).isEmpty(), "no room yet");

    SnapshotChunk done = first.get(0).chunk();
    assertTrue(done.getLast(), "one key: the first chunk is the last");
    source.release("f2", 0, done.getSeq());
    assertEquals(CAP, source.openSessions(), "another follower's ack does not end f1's session");
    source.release("f1", 0, done.getSeq());
    assertEquals(List.of(2), source.admit(0).stream().map(r -> r.chunk().getShard()).toList());
    assertEquals(CAP, pins.size());
  }

  @Test
  void aSessionAnswersOnlyTheFollowerThatStartedIt() {
    PipelineFixture.keysInShard(3, 3).forEach(key -> pipeline.put(key, "v".getBytes(StandardCharsets.UTF_8)).join());
    source.next("f1", start(3).toBuilder().setMaxBytes(1).build(), 0);
    SnapshotChunk chunk = source.admit(0).get(0).chunk();
    assertFalse(chunk.getLast(), "one key per chunk, three keys");
    SnapshotRequest next = SnapshotRequest.newBuilder().setShard(3).setSnapshotId(chunk.getSnapshotId())
        .setAfterKey(chunk.getEntries(0).getKey()).setMaxBytes(1).build();
    SnapshotChunk stolen = source.next("intruder", next, 0).orElseThrow();
    assertTrue(stolen.getError().contains("unknown or expired"), stolen.toString());
    assertTrue(stolen.getEntriesList().isEmpty());
    SnapshotChunk own = source.next("f1", next, 0).orElseThrow();
    assertEquals("", own.getError());
    assertEquals(1, own.getEntriesCount());
  }

  @Test
  void aNewStartOfTheSameShardEndsTheFollowersEarlierSession() {
    source.next("f1", start(4), 0);
    source.admit(0);
    assertEquals(1, source.openSessions());
    source.next("f1", start(4), 0);
    assertEquals(0, source.openSessions(), "restarted: the old session and its pin are gone");
    assertEquals(0, pins.size());
    assertEquals(1, source.admit(0).size());
  }

  @Test
  void retainEndsTransfersOpenAndWaitingOfFollowersNoLongerEntitled() {
    for (int shard = 0; shard < 4; shard++) {
      source.next(shard % 2 == 0 ? "f1" : "f2", start(shard), 0);
    }
    source.admit(0); // f1's shard 0 and f2's shard 1 open; 2 and 3 wait
    source.retain((follower, shard) -> !follower.equals("f2"));
    assertEquals(1, source.openSessions());
    assertEquals(1, pins.size());
    assertEquals(List.of("f1"), source.admit(0).stream().map(SnapshotSource.Reply::follower).toList());
    assertEquals(0, source.waiting());
  }

  @Test
  void idleSessionsExpire() {
    source.next("f1", start(0), 0);
    source.admit(0);
    source.expire(60_000);
    assertEquals(1, source.openSessions(), "not idle for longer than the timeout yet");
    source.expire(60_001);
    assertEquals(0, source.openSessions());
    assertEquals(0, pins.size());
  }

  @Test
  void aChunkStaysUnderItsCapWhateverItsPairsAndTheRequestAsk() {
    // 300,000 four-byte keys with empty values and long varints: 1 MiB of keys alone would take
    // 262,144 of them, nearly 6 MB once each entry's tags and lengths are added.
    int shard = 5;
    TinyPairs.write(store, shard, 300_000);
    source.next("f1", start(shard).toBuilder().setMaxBytes(64 << 20).build(), 0);
    SnapshotChunk chunk = source.admit(0).get(0).chunk();
    assertFalse(chunk.getLast(), "300,000 entries do not fit in one chunk");
    assertTrue(chunk.getSerializedSize() <= SnapshotSource.MAX_CHUNK_BYTES + ShardCursor.ENTRY_FRAMING_BYTES,
        chunk.getSerializedSize() + " bytes in a chunk of " + chunk.getEntriesCount() + " entries");
  }

  private static SnapshotRequest start(int shard) {
    return SnapshotRequest.newBuilder().setShard(shard).build();
  }
}
