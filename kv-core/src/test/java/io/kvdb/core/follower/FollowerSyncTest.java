package io.kvdb.core.follower;

import static io.kvdb.core.follower.FakeLeader.published;
import io.kvdb.core.storage.StoredValue;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.ACK;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.CATCH_UP_REQUEST;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.HELLO;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.SNAPSHOT_REQUEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.config.Limits;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.LeaderLimits;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.ServingLimits;
import io.kvdb.replication.v1.SnapshotRequest;
import io.kvdb.replication.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower's sync driven by a fake leader, one message at a time, on a real LevelDB data dir:
 * every branch of the per-shard state machine, the session and the assignment, without sockets
 * or threads.
 */
class FollowerSyncTest {
  private static final int SHARDS = 4;
  private static final int S = 1;

  @TempDir Path dir;
  private final FakeLeader leader = new FakeLeader("leader-1", 7, SHARDS);
  private SyncHarness follower;

  @BeforeEach
  void open() {
    follower = new SyncHarness(leader, dir.resolve("follower"));
  }

  @AfterEach
  void close() {
    follower.close();
  }

  @Test
  void aNewFollowerCatchesUpFromTheBacklogAndGoesLive() {
    write(S, 3);
    follower.start().connect(0, S);
    assertEquals(Set.of(0, S), follower.subscribed);
    assertEquals(Set.of(0, S), follower.view().live());
    assertEquals("live", follower.view().state());
    follower.assertSameAsLeader(S);
  }

  @Test
  void aGapIsCaughtUpFromTheBacklog() {
    write(S, 2);
    follower.start().connect(S);
    Event third = leader.put(key(2), "c");
    leader.put(key(3), "d"); // lost by the socket
    Event fifth = leader.put(key(0), "e");

    follower.publish(published(third), published(fifth));

    List<ControlMessage> sent = follower.take();
    assertEquals(1, sent.size(), sent.toString());
    assertEquals(3, sent.get(0).getCatchUpRequest().getFrom().getAppliedSeq(), "caught up from the last seq applied");
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aDuplicateIsSkipped() {
    write(S, 2);
    follower.start().connect(S);
    Event third = leader.put(key(0), "changed");

    follower.publish(published(third), published(third));
    follower.publish(published(third));

    assertEquals(List.of(), follower.take(), "a duplicate needs no catch-up or snapshot");
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aDivergentEventIsRepairedBySnapshot() {
    write(S, 3);
    follower.start().connect(S);
    tamper(S, key(1));

    follower.publish(published(leader.put(key(1), "new")));

    List<ControlMessage> sent = follower.take();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(sent));
    assertEquals(SnapshotRequest.newBuilder().setShard(S).setMaxBytes(SnapshotPull.CHUNK_BYTES).build(),
        sent.get(0).getSnapshotRequest(), "a new snapshot, from the first key");
    assertFalse(follower.view().live().contains(S), "a divergent copy is not served");
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aDigestThatDiffersOnAHeartbeatIsRepairedBySnapshot() {
    write(S, 3);
    follower.start().connect(S);
    // The leader's copy at the same seq holds other data (a disk fault on its side, a restored
    // backup run in the same epoch): only its heartbeat shows it, since nothing is written.
    FakeLeader other = new FakeLeader(leader.id, leader.epoch, SHARDS);
    for (int i = 0; i < 3; i++) {
      other.put(key(i), "other-" + i);
    }

    follower.publish(other.heartbeat(S));

    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(follower.take()), "divergence at the same seq: a snapshot");
    assertFalse(follower.view().live().contains(S));
  }

  @Test
  void aLostTailSeenOnAHeartbeatIsCaughtUp() {
    write(S, 2);
    follower.start().connect(S);
    leader.put(key(5), "lost");
    leader.put(key(6), "lost too"); // both events lost by the socket; no more writes come

    follower.publish(leader.heartbeat(S));

    List<ControlMessage> sent = follower.take();
    assertEquals(List.of(CATCH_UP_REQUEST), kinds(sent));
    assertEquals(2, sent.get(0).getCatchUpRequest().getFrom().getAppliedSeq());
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aFollowerBehindTheBacklogTakesASnapshotAndThenTheEventsAfterIt() {
    write(S, 5);
    leader.trimBacklog(S);
    follower.start().join(S);
    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(CATCH_UP_REQUEST), kinds(sent));
    follower.deliver(leader.answer(sent.get(0)));
    List<ControlMessage> firstChunk = follower.take();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(firstChunk));
    follower.deliver(leader.answer(firstChunk.get(0)));
    // Written while the snapshot is pulled: published live, buffered, applied after the install.
    Event during = leader.put(key(9), "during");
    follower.publish(published(during));
    assertFalse(follower.view().live().contains(S));

    follower.exchange();

    follower.assertSameAsLeader(S);
    assertEquals(during.getSeq(), follower.store.shardState(S).seq());
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aSnapshotInterruptedByACrashIsTakenAgainAtStart() {
    write(S, 5); // three chunks
    leader.trimBacklog(S);
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    follower.deliver(leader.answer(follower.requests().get(0))); // the first chunk is installed
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(follower.take()), "the second chunk is asked for");
    follower.crash();

    follower.start();
    assertEquals(Set.of(S), ReplicaStore.openExisting(follower.store).interruptedInstalls(), "the marker survived");
    follower.join(S);

    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(sent), "no catch-up on half a snapshot");
    assertEquals(0, sent.get(0).getSnapshotRequest().getSnapshotId(), "a new transfer");
    assertTrue(sent.get(0).getSnapshotRequest().getAfterKey().isEmpty(), "from the first key");
    assertFalse(follower.view().live().contains(S));
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertEquals(Set.of(), ReplicaStore.openExisting(follower.store).interruptedInstalls());
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aSessionThatEndsDuringAnInstallTakesTheSnapshotAgainInTheNext() {
    write(S, 5);
    leader.trimBacklog(S);
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    follower.deliver(leader.answer(follower.requests().get(0))); // the first chunk is installed
    follower.take();
    follower.nowMs += Session.MIN_SILENCE_MS + 1;
    follower.sync.onTimer(); // the leader is silent: the session ends
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));

    follower.deliver(leader.welcome());

    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(sent), "no catch-up on half a snapshot");
    assertEquals(0, sent.get(0).getSnapshotRequest().getSnapshotId(), "a new transfer");
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
  }

  @Test
  void aShardUnassignedDuringItsInstallIsDroppedAndItsLateChunksIgnored() {
    write(S, 5);
    leader.trimBacklog(S);
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    follower.deliver(leader.answer(follower.requests().get(0))); // the first chunk is installed
    List<ControlMessage> pending = follower.take(); // the next chunk, asked for but not yet answered
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(pending));
    assertTrue(follower.stored(S, key(0)));

    follower.deliver(FakeLeader.assignment(2, 0));

    assertEquals(List.of(CATCH_UP_REQUEST, ACK), kinds(follower.take()), "shard 0 starts syncing; S is not asked for");
    assertFalse(follower.subscribed.contains(S));
    assertEquals(Set.of(0), follower.view().assigned());
    assertEquals(ShardState.EMPTY, follower.store.shardState(S));
    assertFalse(follower.stored(S, key(0)), "the half-installed data is dropped");
    assertEquals(Set.of(), ReplicaStore.openExisting(follower.store).interruptedInstalls(), "and its marker");

    follower.deliver(leader.answer(pending.get(0)));

    assertEquals(List.of(), follower.take(), "a late chunk asks for nothing");
    assertFalse(follower.stored(S, key(2)), "and writes nothing");
  }

  @Test
  void anAssignmentThatKeepsAnInstallingShardLetsItsInstallFinish() {
    write(S, 5);
    leader.trimBacklog(S);
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0)));
    follower.deliver(leader.answer(follower.requests().get(0)));
    List<ControlMessage> pending = follower.take();

    follower.deliver(FakeLeader.assignment(2, S, 2));

    List<ControlMessage> sent = follower.take();
    assertEquals(List.of(CATCH_UP_REQUEST, ACK), kinds(sent), "only the new shard 2 starts syncing");
    assertEquals(2, sent.get(0).getCatchUpRequest().getFrom().getShard());
    follower.deliver(leader.answer(sent.get(0)));
    follower.deliver(leader.answer(pending.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertEquals(Set.of(S, 2), follower.view().live());
  }

  @Test
  void anAssignmentOlderThanTheOneHeldIsIgnored() {
    follower.start().connect(0, S);
    follower.deliver(FakeLeader.assignment(5, 0, S));
    follower.take();
    follower.deliver(FakeLeader.assignment(4, 2));
    assertEquals(List.of(), follower.take());
    assertEquals(Set.of(0, S), follower.view().assigned());
  }

  @Test
  void aNewerEpochEndsTheSessionAndTheFollowerSaysHelloAgain() {
    write(S, 2);
    follower.start().connect(S);
    FakeLeader restarted = new FakeLeader(leader.id, leader.epoch + 1, SHARDS);

    follower.publish(restarted.heartbeat(S));

    assertEquals("connecting", follower.view().state());
    assertEquals(Set.of(), follower.view().live(), "nothing is served until the shards are checked again");
    follower.sync.onTimer();
    List<ControlMessage> hello = follower.take();
    assertEquals(List.of(HELLO), kinds(hello));
    assertEquals(2, hello.get(0).getHello().getPositions(0).getAppliedSeq());
  }

  @Test
  void aSilentLeaderEndsTheSession() {
    follower.start().connect(S);
    follower.nowMs += Session.MIN_SILENCE_MS + 1;
    follower.sync.onTimer();
    assertEquals("connecting", follower.view().state());
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));
  }

  @Test
  void aRefusalIsShownAndHelloIsRetriedLessOften() {
    follower.start();
    follower.sync.onTimer();
    follower.take();
    follower.deliver(ControlMessage.newBuilder().setWelcome(Welcome.newBuilder().setAccepted(false)
        .setReason("protocol version 9 is not supported")).build());
    assertEquals("refused", follower.view().state());
    assertEquals("protocol version 9 is not supported", follower.view().reason());

    follower.nowMs += Session.HELLO_RETRY_MS;
    follower.sync.onTimer();
    assertEquals(List.of(), follower.take(), "no hello a second later");
    follower.nowMs += Session.REFUSED_RETRY_MS;
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));
  }

  @Test
  void aRefusedCatchUpLeadsToANewHelloAndTheShardResumesAfterTheWelcome() {
    write(S, 2);
    follower.start().connect(S);
    follower.nowMs += 60_000; // a session of a minute: its hello is long past
    leader.put(key(2), "lost");
    leader.forgetSession(); // the leader restarted (its new epoch not yet seen here)
    follower.publish(leader.heartbeat(S)); // a lost tail: a catch-up
    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(CATCH_UP_REQUEST), kinds(sent));
    long malformed = Frames.droppedFrames();

    follower.deliver(leader.answer(sent.get(0)));

    assertEquals(malformed, Frames.droppedFrames(), "a refusal is an answer, not a malformed frame");
    assertEquals("connecting", follower.view().state(), "the session is over");
    assertFalse(follower.view().live().contains(S));
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()), "hello again at once, not a catch-up in 5 s");

    follower.deliver(leader.welcome());
    follower.deliver(FakeLeader.assignment(1, S));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S), "the shard resumed after the welcome");
  }

  @Test
  void aRefusedSnapshotChunkLeadsToAHelloNotToAnImmediateNewSnapshot() {
    write(S, 5);
    leader.trimBacklog(S);
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    List<ControlMessage> chunkRequest = follower.requests();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(chunkRequest));
    follower.nowMs += 60_000;
    leader.forgetSession();

    follower.deliver(leader.answer(chunkRequest.get(0)));

    assertEquals(List.of(), follower.requests(), "no new snapshot request to a leader that refuses them");
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));
    follower.deliver(leader.welcome());
    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(sent), "the install starts over in the new session");
    assertEquals(0, sent.get(0).getSnapshotRequest().getSnapshotId());
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aLeaderThatRefusesRightAfterItsWelcomeGetsAtMostOneHelloASecond() {
    write(S, 2);
    follower.start().join(S);
    leader.forgetSession();
    follower.deliver(leader.answer(follower.requests().get(0))); // refused in the session just opened

    follower.sync.onTimer();
    assertEquals(List.of(), follower.take(), "no hello again in the same instant");
    follower.nowMs += Session.HELLO_RETRY_MS;
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));
  }

  @Test
  void repeatedSnapshotErrorsAreSpacedByABackoff() {
    write(S, 5);
    leader.trimBacklog(S);
    leader.failSnapshots("this snapshot request failed: an unreadable LevelDB block");
    follower.start().join(S);
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    List<ControlMessage> first = follower.requests();
    assertEquals(List.of(SNAPSHOT_REQUEST), kinds(first));
    follower.deliver(leader.answer(first.get(0)));
    assertEquals(List.of(), follower.requests(), "an error is not retried at once");

    // A minute of errors, in 10 ms steps; the leader's heartbeats keep the session open.
    List<Long> requestTimes = new ArrayList<>();
    long start = follower.nowMs;
    while (follower.nowMs - start < 60_000) {
      follower.nowMs += 10;
      if ((follower.nowMs - start) % 100 == 0) {
        follower.publish(leader.heartbeat(S));
      }
      follower.sync.onTimer();
      for (ControlMessage request : follower.requests()) {
        assertEquals(SNAPSHOT_REQUEST, request.getBodyCase());
        requestTimes.add(follower.nowMs);
        follower.deliver(leader.answer(request));
      }
    }

    assertTrue(requestTimes.size() >= 3, "errors are retried: " + requestTimes);
    assertTrue(requestTimes.size() <= 20, "but not fast: " + requestTimes.size() + " tries in a minute");
    assertTrue(requestTimes.get(0) - start >= 100, "the first retry waits: " + (requestTimes.get(0) - start) + " ms");
    for (int i = 1; i < requestTimes.size(); i++) {
      long gap = requestTimes.get(i) - requestTimes.get(i - 1);
      long previous = i == 1 ? requestTimes.get(0) - start : requestTimes.get(i - 1) - requestTimes.get(i - 2);
      // Each wait is drawn between half and all of a doubling ceiling: it grows below the cap.
      assertTrue(gap >= Math.min(previous, SnapshotPull.RETRY_MAX_MS / 2), "the waits do not shrink: " + requestTimes);
      assertTrue(gap <= 30_000, "and are bounded: " + gap + " ms");
    }
    assertFalse(follower.view().live().contains(S));

    leader.failSnapshots(null);
    for (long waited = 0; waited <= 30_000 && !follower.view().live().contains(S); waited += 10) {
      follower.nowMs += 10;
      if (waited % 100 == 0) {
        follower.publish(leader.heartbeat(S));
      }
      follower.sync.onTimer();
      follower.exchange();
    }
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S), "once the leader serves it, the snapshot is installed");
  }

  @Test
  void readsAreServedWithTheLeadersLimits() {
    Limits leaders = new Limits(4096, 2 << 20, 3 << 20, 50, 500);
    follower.start();
    follower.sync.onTimer();
    follower.take();
    follower.deliver(withLimits(LeaderLimits.toWire(leaders)));
    assertEquals(leaders, follower.view().limits());
  }

  @Test
  void aWelcomeWithInvalidLimitsIsServedWithTheDefaults() {
    follower.start();
    follower.sync.onTimer();
    follower.take();
    follower.deliver(withLimits(ServingLimits.newBuilder().setMaxKeyBytes(0).build()));
    assertEquals("live", follower.view().state(), "the session goes on");
    assertEquals(Limits.DEFAULT, follower.view().limits());
  }

  private ControlMessage withLimits(ServingLimits limits) {
    ControlMessage welcome = leader.welcome();
    return welcome.toBuilder().setWelcome(welcome.getWelcome().toBuilder().setLimits(limits)).build();
  }

  @Test
  void aLeaderWithAnotherShardCountIsRefused() {
    follower.start().connect(S);
    follower.crash();
    FakeLeader other = new FakeLeader("leader-1", 9, SHARDS * 2);
    SyncHarness restarted = new SyncHarness(other, dir.resolve("follower")).start();
    try {
      restarted.sync.onTimer();
      restarted.take();
      restarted.deliver(other.welcome());
      assertEquals("refused", restarted.view().state());
      assertTrue(restarted.view().reason().contains("this data dir was made for 4"), restarted.view().reason());
    } finally {
      restarted.close();
    }
  }

  /** Writes {@code count} keys of {@code shard} on the leader. */
  @Test
  void anApplyWithinTwoMsOfTheLastAckIsAckedOnTimeEvenIfNothingMoreArrives() {
    follower.start().connect(S);
    follower.nowMs += 10; // past the ack that answered the assignment
    follower.publish(published(leader.put(key(0), "a")));
    follower.sync.onTimer();
    assertTrue(acked(follower.take()), "the first apply is acked at once");

    follower.nowMs += 1;
    follower.publish(published(leader.put(key(1), "b")));
    follower.sync.onTimer();
    assertFalse(acked(follower.take()), "at most one ack per 2 ms");
    // The caller waits for input this long before the next onTimer: the ack must not wait longer
    // than the 1 ms left of its 2 (a poll of half a heartbeat held it for up to 50 ms).
    long waited = follower.sync.pollIntervalMs();
    assertTrue(waited <= 1, "the sync lets its caller wait " + waited + " ms with an ack due in 1 ms");
    follower.nowMs += waited;
    follower.sync.onTimer();
    assertTrue(acked(follower.take()), "the second apply is acked when its 2 ms are up");
  }

  private static boolean acked(List<ControlMessage> sent) {
    return sent.stream().anyMatch(message -> message.getBodyCase() == ACK);
  }

  private void write(int shard, int count) {
    for (int i = 0; i < count; i++) {
      leader.put(leader.keyIn(shard, i), "value-" + i);
    }
  }

  private String key(int n) {
    return leader.keyIn(S, n);
  }

  /** Changes a value in the follower's data dir behind its back (a disk fault, a bug), leaving its digest. */
  private void tamper(int shard, String key) {
    StoreBatch batch = follower.store.newBatch();
    batch.putData(shard, key.getBytes(StandardCharsets.UTF_8), new StoredValue("tampered".getBytes(StandardCharsets.UTF_8), 0, 0));
    follower.store.write(batch);
  }

  private static List<ControlMessage.BodyCase> kinds(List<ControlMessage> messages) {
    return messages.stream().map(ControlMessage::getBodyCase).toList();
  }
}
