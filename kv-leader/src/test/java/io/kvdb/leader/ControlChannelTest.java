package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * The leader's control channel, driven by raw DEALER sockets on 127.0.0.1 against a real leader:
 * each control message is handled on its own, so one that fails is answered with an error and the
 * channel keeps serving every other follower; catch-up and snapshots are served only to followers
 * that said hello, for their shards, under a cap on open snapshot sessions.
 */
@Timeout(60)
class ControlChannelTest {
  private static final long REPLY_MS = 5_000;

  @TempDir Path dir;
  private final ZContext zmq = new ZContext();
  private LeaderServer leader;

  @AfterEach
  void stop() {
    zmq.close();
    if (leader != null) {
      leader.stop();
    }
  }

  private LeaderServer start(String name) throws Exception {
    return start(name, LeaderConfig.forTest(dir));
  }

  private LeaderServer start(String name, LeaderConfig config) throws Exception {
    leader = new LeaderServer(config, InProcessServerBuilder.forName(name));
    leader.start();
    return leader;
  }

  /** A started leader with one key in each of its 8 shards. */
  private LeaderServer startWithAKeyPerShard(String name, LeaderConfig config) throws Exception {
    start(name, config);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      ShardFunction shards = new ShardFunction(8);
      Set<Integer> filled = new HashSet<>();
      for (int i = 0; filled.size() < 8; i++) {
        String key = "key-" + i;
        if (filled.add(shards.shardOf(key.getBytes(StandardCharsets.UTF_8)))) {
          KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
        }
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    return leader;
  }

  /**
   * A client that makes up a new routing id for every request and never says hello: every
   * catch-up and snapshot request is refused with an answer, and none pins anything.
   */
  @Test
  void requestsWithoutHelloAreRefusedWhateverRoutingIdsTheClientPicks() throws Exception {
    startWithAKeyPerShard(getClass().getName() + "/rotating", LeaderConfig.forTest(dir));
    for (int i = 0; i < 40; i++) {
      try (ControlPeer rotating = ControlPeer.connect(zmq, leader.controlPort(), "rotating-" + i)) {
        int shard = i % 8;
        rotating.snapshot(shard, 0, "");
        ControlMessage chunk = rotating.await(ControlMessage::hasSnapshotChunk, REPLY_MS);
        assertNotNull(chunk, "a snapshot request without hello got no answer");
        assertTrue(chunk.getSnapshotChunk().getError().contains("has not said hello"), chunk.toString());
        assertEquals(0, chunk.getSnapshotChunk().getEntriesCount(), "no data for a stranger");
        rotating.catchUp(shard, 0, 0);
        ControlMessage catchUp = rotating.await(ControlMessage::hasCatchUpReply, REPLY_MS);
        assertNotNull(catchUp, "a catch-up without hello got no answer");
        assertEquals(CatchUpReply.Outcome.OUTCOME_REFUSED, catchUp.getCatchUpReply().getOutcome());
        assertEquals(0, catchUp.getCatchUpReply().getEventsCount());
      }
      assertEquals(0, leader.backlogPins().size(), "a refused request pinned the backlog");
    }
  }

  @Test
  void aFollowerMayFetchOnlyShardsAssignedOrMovingToIt() throws Exception {
    startWithAKeyPerShard(getClass().getName() + "/assigned", LeaderConfig.forTest(dir));
    try (ControlPeer f1 = ControlPeer.connect(zmq, leader.controlPort(), "f1");
        ControlPeer f2 = ControlPeer.connect(zmq, leader.controlPort(), "f2")) {
      f1.hello("f1");
      assertEquals(8, placed(f1).getAssignment().getShardsCount());
      f2.hello("f2");
      // f2 takes about half of the shards (R = 1); f1 keeps them until f2 is ready, which never comes here.
      ControlMessage moving = placed(f2);
      List<Integer> toF2 = moving.getAssignment().getShardsList();
      int notF2s = IntStream.range(0, 8).filter(s -> !toF2.contains(s)).findFirst().orElseThrow();

      f2.snapshot(toF2.get(0), 0, "");
      ControlMessage served = f2.await(ControlMessage::hasSnapshotChunk, REPLY_MS);
      assertNotNull(served, "a shard being moved to f2 was not served");
      assertEquals("", served.getSnapshotChunk().getError());
      assertEquals(1, served.getSnapshotChunk().getEntriesCount());

      f2.snapshot(notF2s, 0, "");
      ControlMessage refused = f2.await(ControlMessage::hasSnapshotChunk, REPLY_MS);
      assertTrue(refused.getSnapshotChunk().getError().contains("is not assigned to follower f2"), refused.toString());
      f2.catchUp(notF2s, 0, 0);
      assertEquals(CatchUpReply.Outcome.OUTCOME_REFUSED,
          f2.await(ControlMessage::hasCatchUpReply, REPLY_MS).getCatchUpReply().getOutcome());
      f1.catchUp(notF2s, 0, 0);
      assertEquals(CatchUpReply.Outcome.OUTCOME_EVENTS,
          f1.await(ControlMessage::hasCatchUpReply, REPLY_MS).getCatchUpReply().getOutcome(), "f1 holds it");
      assertEquals(1, leader.backlogPins().size(), "only f2's served snapshot pins the backlog");
    }
  }

  /**
   * With a cap of 2, a follower that starts 8 snapshots gets 2 first chunks; the others wait and
   * are served, oldest first, as transfers end. The cap holds throughout.
   */
  @Test
  void theCapOnOpenSnapshotSessionsHolds() throws Exception {
    startWithAKeyPerShard(getClass().getName() + "/cap", LeaderConfig.forTest(dir).withMaxSnapshotSessions(2));
    try (ControlPeer f1 = ControlPeer.connect(zmq, leader.controlPort(), "f1")) {
      f1.hello("f1");
      ControlMessage assignment = placed(f1);
      assertEquals(8, assignment.getAssignment().getShardsCount());
      for (int shard = 0; shard < 8; shard++) {
        f1.snapshot(shard, 0, "");
      }
      // Messages from one DEALER are handled in order: once this catch-up is answered, all 8 starts were.
      f1.catchUp(0, 0, 0);
      List<ControlMessage> beforeTheCatchUp = new ArrayList<>();
      ControlMessage next;
      while ((next = f1.receive(REPLY_MS)) != null && !next.hasCatchUpReply()) {
        beforeTheCatchUp.add(next);
      }
      assertNotNull(next, "the catch-up got no answer");
      List<ControlMessage> chunks = beforeTheCatchUp.stream().filter(ControlMessage::hasSnapshotChunk).toList();
      assertEquals(List.of(0, 1), chunks.stream().map(m -> m.getSnapshotChunk().getShard()).toList(),
          "two transfers open, the oldest starts first");
      assertEquals(2, leader.backlogPins().size());

      for (int expected = 2; expected < 8; expected++) {
        ControlMessage done = chunks.get(0);
        chunks = chunks.subList(1, chunks.size());
        assertTrue(done.getSnapshotChunk().getLast(), "one key per shard: one chunk");
        f1.send(ackOf("f1", assignment.getAssignment().getVersion(), done.getSnapshotChunk()));
        ControlMessage started = f1.await(ControlMessage::hasSnapshotChunk, REPLY_MS);
        assertNotNull(started, "an installed transfer made no room for the next");
        assertEquals(expected, started.getSnapshotChunk().getShard(), "oldest waiting start first");
        assertEquals(2, leader.backlogPins().size(), "the cap holds");
        chunks = Stream.concat(chunks.stream(), Stream.of(started)).toList();
      }
    }
  }

  /** The first assignment with shards: the hello's own comes before placement runs. */
  private static ControlMessage placed(ControlPeer follower) {
    ControlMessage assignment = follower.await(m -> m.hasAssignment() && m.getAssignment().getShardsCount() > 0,
        REPLY_MS);
    assertNotNull(assignment, follower.routingId() + " was given no shard");
    return assignment;
  }

  private static ControlMessage ackOf(String id, long assignmentVersion, SnapshotChunk installed) {
    return ControlMessage.newBuilder().setAck(Ack.newBuilder().setFollowerId(id).setAssignmentVersion(assignmentVersion)
        .addPositions(ShardPosition.newBuilder().setShard(installed.getShard()).setAppliedSeq(installed.getSeq())
            .setAppliedEpoch(installed.getSeqEpoch()))).build();
  }

  @Test
  void anUnreadableBacklogEntryIsAnsweredAndTheChannelKeepsServing() throws Exception {
    String key = "k";
    int shard = new ShardFunction(8).shardOf(key.getBytes(StandardCharsets.UTF_8));
    start(getClass().getName() + "/before");
    ManagedChannel channel = InProcessChannelBuilder.forName(getClass().getName() + "/before").build();
    try {
      KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    leader.stop();
    // A damaged backlog entry (a disk fault, a bug): a truncated protobuf where seq 1's event was.
    try (KvStore store = KvStore.open(dir, true); StoreBatch batch = store.newBatch()) {
      store.write(batch.putLog(shard, 1, new byte[] {0x0A, 0x7F}));
    }
    start(getClass().getName() + "/after");

    try (ControlPeer f1 = ControlPeer.connect(zmq, leader.controlPort(), "f1");
        ControlPeer f2 = ControlPeer.connect(zmq, leader.controlPort(), "f2")) {
      f1.hello("f1");
      assertNotNull(f1.await(ControlMessage::hasAssignment, REPLY_MS), "f1 got no assignment");
      f1.catchUp(shard, 0, 0);
      ControlMessage reply = f1.await(ControlMessage::hasCatchUpReply, REPLY_MS);
      assertNotNull(reply, "a catch-up through the unreadable entry got no answer");
      CatchUpReply catchUp = reply.getCatchUpReply();
      assertEquals(shard, catchUp.getShard());
      assertEquals(CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED, catchUp.getOutcome(),
          "the backlog cannot serve it, the data can: " + catchUp);
      assertTrue(catchUp.getReason().contains("unreadable log entry"), catchUp.getReason());

      // The channel still serves: another follower joins, and f1's next request is answered.
      f2.hello("f2");
      assertNotNull(f2.await(ControlMessage::hasWelcome, REPLY_MS), "the control channel stopped answering");
      f1.catchUp((shard + 1) % 8, 0, 0);
      assertNotNull(f1.await(m -> m.hasCatchUpReply() && m.getCatchUpReply().getShard() == (shard + 1) % 8,
          REPLY_MS), "the control channel stopped answering f1");
    }
  }
}
