package io.kvdb.core.leader;

import com.google.protobuf.ByteString;
import io.kvdb.core.follower.ReplicaStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpReply.Outcome;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's catch-up and snapshot answers and the follower's replica store, on real LevelDB:
 * events from a real write pipeline, applied to a real follower store.
 */
class CatchUpAndSnapshotTest {
  private static final int SHARDS = 1; // one shard: every key lands in shard 0
  private static final int BACKLOG = 5;

  @TempDir Path dir;
  private KvStore leaderStore;
  private KvStore followerStore;
  private WritePipeline pipeline;
  private BacklogPins pins;
  private final List<Event> published = new ArrayList<>();

  @BeforeEach
  void open() {
    leaderStore = KvStore.open(dir.resolve("leader"), false);
    followerStore = KvStore.open(dir.resolve("follower"), false);
    pins = new BacklogPins();
    pipeline = new WritePipeline(leaderStore, new LeaderMetadata("leader-1", 7, SHARDS), BACKLOG, pins,
        events -> {
          synchronized (published) {
            published.addAll(SinkEvents.of(events));
          }
        }, leaderStore::write, PipelineFixture.anyDisk(leaderStore), () -> 0L, PipelineMetrics.NONE,
        PipelineFixture.SUPERVISOR);
  }

  @AfterEach
  void close() {
    pipeline.close();
    leaderStore.close();
    followerStore.close();
  }

  @Test
  void aFollowerWithinTheBacklogGetsTheMissingEvents() {
    write(3);
    CatchUpReply reply = catchUp(0, 0);
    assertEquals(Outcome.OUTCOME_EVENTS, reply.getOutcome());
    assertEquals(3, reply.getEventsCount());
    assertEquals(3, reply.getHeadSeq());
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS);
    assertEquals(ReplicaStore.Outcome.APPLIED, replica.apply(reply.getEventsList()).get(0));
    assertEquals(pipeline.head(0), replica.state(0));
    assertEquals(0, catchUp(3, 7).getEventsCount(), "caught up: nothing more");
  }

  @Test
  void aFollowerAtTheHeadNeedsNothingEvenWhenTheBacklogLacksTheHeadsEntry() {
    // A data dir migrated from format 1 has a head but no backlog: its follower installs a snapshot
    // at the head and then asks to catch up from there.
    CatchUpSource source = new CatchUpSource(leaderStore, shard -> new ShardState(10, 7, 0, 10));
    CatchUpReply atHead = source.answer(from(10, 7));
    assertEquals(Outcome.OUTCOME_EVENTS, atHead.getOutcome(), atHead.getReason());
    assertEquals(0, atHead.getEventsCount());
    CatchUpReply otherEpoch = source.answer(from(10, 6));
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, otherEpoch.getOutcome(), "the head's seq in another epoch");
  }

  @Test
  void aFollowerFurtherBehindThanTheShardHoldsKeysTakesASnapshotThoughTheBacklogCoversIt() {
    write(3); // the backlog holds seqs 1..3; the heads below say how far the shard has gone since
    long far = CatchUpSource.MAX_EVENTS + 500;
    CatchUpSource fresh = new CatchUpSource(leaderStore, shard -> new ShardState(far, 7, 0, far));
    CatchUpReply reply = fresh.answer(from(0, 0));
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, reply.getOutcome(), "a replay would send every key's event");
    assertTrue(reply.getReason().contains("events behind"), reply.getReason());
    CatchUpSource rewritten = new CatchUpSource(leaderStore, shard -> new ShardState(far, 7, 0, 10));
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, rewritten.answer(from(3, 7)).getOutcome(),
        "10 keys rewritten " + far + " times: 10 pairs beat the replay");
    CatchUpSource manyKeys = new CatchUpSource(leaderStore, shard -> new ShardState(far, 7, 0, far - 1));
    assertEquals(Outcome.OUTCOME_EVENTS, manyKeys.answer(from(3, 7)).getOutcome(),
        "fewer events behind than keys: replayed");
  }

  @Test
  void aFollowerBehindTheBacklogAheadOfTheHeadOrOnAnotherEpochMustTakeASnapshot() {
    write(BACKLOG + 3);
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, catchUp(0, 0).getOutcome(), "seq 1 was trimmed");
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, catchUp(1, 7).getOutcome());
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, catchUp(BACKLOG + 4, 7).getOutcome(), "ahead of the head");
    CatchUpReply otherEpoch = catchUp(BACKLOG + 2, 6);
    assertEquals(Outcome.OUTCOME_SNAPSHOT_REQUIRED, otherEpoch.getOutcome());
    assertTrue(otherEpoch.getReason().contains("epoch"), otherEpoch.getReason());
    assertEquals(Outcome.OUTCOME_EVENTS, catchUp(BACKLOG + 2, 7).getOutcome());
  }

  @Test
  void aSnapshotPulledInSmallChunksInstallsTheLeadersDataAndTheBacklogAfterItStaysPinned() {
    write(40);
    SnapshotSource source = new SnapshotSource(leaderStore, pipeline::head, pins, 60_000, 4);
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS);
    replica.beginInstall(0);
    assertEquals(List.of(0), new ArrayList<>(replica.interruptedInstalls()), "marker written before data");
    assertTrue(source.next("f1", SnapshotRequest.newBuilder().setShard(0).setMaxBytes(64).build(), 0).isEmpty(),
        "a start waits for a free session");
    List<SnapshotSource.Reply> started = source.admit(0);
    assertEquals(1, started.size());
    assertEquals("f1", started.get(0).follower());
    SnapshotChunk chunk = started.get(0).chunk();
    int chunks = 1;
    write(20); // writes during the transfer: not in this snapshot, kept in the pinned backlog
    while (!chunk.getLast()) {
      assertTrue(replica.installChunk(chunk));
      ByteString after = chunk.getEntries(chunk.getEntriesCount() - 1).getKey();
      chunk = source.next("f1", SnapshotRequest.newBuilder().setShard(0).setSnapshotId(chunk.getSnapshotId())
          .setAfterKey(after).setMaxBytes(64).build(), 0).orElseThrow();
      chunks++;
    }
    assertTrue(replica.installChunk(chunk), "installed data matches the snapshot's digest");
    assertTrue(chunks > 3, "small chunks: " + chunks);
    assertEquals(40, replica.state(0).seq());
    assertTrue(replica.interruptedInstalls().isEmpty());

    CatchUpReply rest = catchUp(replica.state(0).seq(), replica.state(0).seqEpoch());
    assertEquals(Outcome.OUTCOME_EVENTS, rest.getOutcome(), "pinned: the backlog still has seq 41");
    replica.apply(rest.getEventsList());
    assertEquals(pipeline.head(0), replica.state(0));

    source.release("f1", 0, replica.state(0).seq());
    assertEquals(0, source.openSessions());
    assertEquals(Long.MAX_VALUE, pins.lowestPinned(0));
  }

  @Test
  void replicaSkipsDuplicatesReportsGapsAndDetectsDivergence() {
    write(4);
    List<Event> events = snapshotOfPublished();
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS);
    assertEquals(ReplicaStore.Outcome.GAP, replica.apply(events.subList(1, 2)).get(0));
    assertEquals(0, replica.state(0).seq());
    replica.apply(events.subList(0, 2));
    assertEquals(ReplicaStore.Outcome.APPLIED, replica.apply(events).get(0), "duplicates are skipped");
    assertEquals(4, replica.state(0).seq());

    write(1);
    Event next = snapshotOfPublished().get(4);
    Event forged = next.toBuilder().setDigest(next.getDigest() + 1).build();
    assertEquals(ReplicaStore.Outcome.DIVERGED, replica.apply(List.of(forged)).get(0));
    assertEquals(4, replica.state(0).seq(), "a diverging event is not applied");
  }

  @Test
  void deleteOfAKeyTheReplicaNeverHadStillAdvancesItsSeq() {
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS);
    Event delete = Event.newBuilder().setLeaderId("leader-1").setEpoch(7).setShard(0).setSeq(1)
        .setKey("never-there").setDelete(true).setDigest(0).setKeys(0).build();
    assertEquals(ReplicaStore.Outcome.APPLIED, replica.apply(List.of(delete)).get(0));
    assertEquals(1, replica.state(0).seq());
  }

  @Test
  void droppingAShardDeletesItsDataAndAppliedSeq() {
    write(3);
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS);
    replica.apply(snapshotOfPublished());
    replica.drop(0);
    assertEquals(ShardState.EMPTY, replica.state(0));
    assertEquals(ShardState.EMPTY, followerStore.shardState(0));
    assertFalse(followerStore.get(0, "key-0".getBytes(StandardCharsets.UTF_8)).isPresent());
  }

  private void write(int count) {
    int base = published.size();
    List<java.util.concurrent.CompletableFuture<?>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replies.add(pipeline.put("key-" + (base + i), ("value-" + (base + i)).getBytes(StandardCharsets.UTF_8)));
    }
    replies.forEach(java.util.concurrent.CompletableFuture::join);
  }

  private List<Event> snapshotOfPublished() {
    synchronized (published) {
      return new ArrayList<>(published);
    }
  }

  private CatchUpReply catchUp(long applied, long epoch) {
    return new CatchUpSource(leaderStore, pipeline::head).answer(from(applied, epoch));
  }

  private static CatchUpRequest from(long applied, long epoch) {
    return CatchUpRequest.newBuilder()
        .setFrom(ShardPosition.newBuilder().setShard(0).setAppliedSeq(applied).setAppliedEpoch(epoch)).build();
  }

}
