package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;

import io.kvdb.core.follower.ReplicaStore.Outcome;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower's copy on a real LevelDB data dir, fed events numbered and digested by a {@link FakeLeader}. */
class ReplicaStoreTest {
  private static final int SHARDS = 4;
  private static final int A = 1;
  private static final int B = 2;

  @TempDir Path dir;
  private final FakeLeader leader = new FakeLeader("leader-1", 7, SHARDS);
  private KvStore store;
  private ReplicaStore replica;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    replica = ReplicaStore.create(store, SHARDS);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aDivergingEventLeavesItsShardAsItWasWhileTheOtherShardsOfTheBatchApply() {
    String kept = leader.keyIn(B, 0);
    String added = leader.keyIn(B, 1);
    assertEquals(Map.of(A, Outcome.APPLIED, B, Outcome.APPLIED),
        replica.apply(List.of(leader.put(leader.keyIn(A, 0), "a0"), leader.put(kept, "before"))));
    ShardState before = store.shardState(B);
    Event good = leader.put(leader.keyIn(A, 1), "a1");
    // The leader's digests after these differ from this copy's: it diverged (a bug, a restored backup).
    Event overwrite = diverging(leader.put(kept, "after"));
    Event put = diverging(leader.put(added, "new"));

    Map<Integer, Outcome> outcomes = replica.apply(List.of(good, overwrite, put));

    assertEquals(Map.of(A, Outcome.APPLIED, B, Outcome.DIVERGED), outcomes);
    assertEquals(leader.head(A), store.shardState(A), "shard A's event is applied");
    assertEquals(Optional.of("a1"), value(A, leader.keyIn(A, 1)));
    assertEquals(before, store.shardState(B), "shard B's state is not advanced");
    assertEquals(before, replica.state(B));
    assertEquals(Optional.of("before"), value(B, kept), "and its data is as it was: the overwrite is not written");
    assertFalse(value(B, added).isPresent(), "nor the put that followed it");
    assertEquals(before.digest(), replica.recompute(B).digest(), "B's data still matches its digest");
  }

  @Test
  void aDivergingDeleteIsNotWritten() {
    String key = leader.keyIn(B, 0);
    replica.apply(List.of(leader.put(key, "v")));
    ShardState before = store.shardState(B);

    Map<Integer, Outcome> outcomes = replica.apply(List.of(leader.put(leader.keyIn(A, 0), "a0"),
        diverging(leader.delete(key))));

    assertEquals(Outcome.DIVERGED, outcomes.get(B));
    assertEquals(Optional.of("v"), value(B, key));
    assertEquals(before, store.shardState(B));
  }

  @Test
  void anInstalledSnapshotMatchesItsDigestAndTheDataOnDisk() {
    putKeys(A, 5);
    replica.beginInstall(A);
    List<SnapshotChunk> chunks = snapshotOf(A);

    chunks.forEach(chunk -> assertTrue(replica.installChunk(chunk)));

    assertEquals(leader.head(A), replica.state(A));
    ShardState onDisk = replica.recompute(A);
    assertEquals(leader.head(A).digest(), onDisk.digest());
    assertEquals(5, onDisk.keys());
  }

  @Test
  void aSnapshotThatLostAPairDoesNotMatch() {
    putKeys(A, 5);
    replica.beginInstall(A);
    List<SnapshotChunk> chunks = snapshotOf(A);
    SnapshotChunk first = chunks.get(0);
    chunks.set(0, first.toBuilder().removeEntries(0).build());

    boolean matches = true;
    for (SnapshotChunk chunk : chunks) {
      matches = replica.installChunk(chunk);
    }

    assertFalse(matches, "a pair missing from the transfer shows in the sum");
  }

  @Test
  void anInstallTakenAgainIsSummedFromItsStart() {
    putKeys(A, 5);
    replica.beginInstall(A);
    replica.installChunk(snapshotOf(A).get(0)); // then the transfer is lost, and the snapshot taken again
    replica.beginInstall(A);

    boolean matches = false;
    for (SnapshotChunk chunk : snapshotOf(A)) {
      matches = replica.installChunk(chunk);
    }

    assertTrue(matches, "the pairs of the lost transfer are not counted twice");
    assertEquals(leader.head(A).digest(), replica.recompute(A).digest());
  }

  private void putKeys(int shard, int count) {
    for (int i = 0; i < count; i++) {
      leader.put(leader.keyIn(shard, i), "v" + i);
    }
  }

  /** The leader's data of {@code shard} as the chunks of one transfer, in key order. */
  private List<SnapshotChunk> snapshotOf(int shard) {
    List<SnapshotChunk> chunks = new ArrayList<>();
    SnapshotRequest.Builder request = SnapshotRequest.newBuilder().setShard(shard);
    SnapshotChunk chunk = leader.chunk(request.build());
    chunks.add(chunk);
    while (!chunk.getLast()) { // a chunk before the last is never empty
      request.setSnapshotId(chunk.getSnapshotId()).setAfterKey(chunk.getEntries(chunk.getEntriesCount() - 1).getKey());
      chunk = leader.chunk(request.build());
      chunks.add(chunk);
    }
    return chunks;
  }

  private static Event diverging(Event event) {
    return event.toBuilder().setDigest(event.getDigest() + 1).build();
  }

  private Optional<String> value(int shard, String key) {
    return store.get(shard, key.getBytes(StandardCharsets.UTF_8)).map(v -> new String(v.value(), StandardCharsets.UTF_8));
  }
}
