package io.kvdb.core.follower;

import static io.kvdb.core.follower.FakeLeader.published;
import io.kvdb.core.storage.StoredValue;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.CATCH_UP_REQUEST;
import static io.kvdb.replication.v1.ControlMessage.BodyCase.HELLO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.ControlMessage;
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
 * The two read states of a follower's shard, live and readable (a complete copy, served to reads
 * that allow stale answers), driven by a fake leader without sockets: which events keep a shard
 * readable, and that it leaves readable before anything could make its data incomplete.
 */
class StaleReadStateTest {
  private static final int SHARDS = 4;
  private static final int S = 1;
  private static final int OTHER = 2;

  @TempDir Path dir;
  private final FakeLeader leader = new FakeLeader("leader-1", 7, SHARDS);
  private SyncHarness follower;
  /** Whether shard S's first key was in the data dir when the first view without S readable was published. */
  private final List<Boolean> storedWhenUnreadable = new ArrayList<>();

  @BeforeEach
  void liveWithData() {
    write(S, 3);
    write(OTHER, 2);
    follower = new SyncHarness(leader, dir.resolve("follower")).start().connect(S, OTHER);
    assertEquals(Set.of(S, OTHER), follower.view().live());
    assertEquals(Set.of(S, OTHER), follower.view().readable());
  }

  @AfterEach
  void close() {
    follower.close();
  }

  @Test
  void aLostLeaderKeepsALiveShardReadableButNotLive() {
    long withdrawals = follower.view().withdrawals();

    loseLeader();

    assertEquals(Set.of(), follower.view().live(), "nothing is in sync with a live leader");
    assertEquals(Set.of(S, OTHER), follower.view().readable(), "the complete copies are still served stale");
    assertEquals(withdrawals + 1, follower.view().withdrawals(), "leaving live is a withdrawal");
  }

  @Test
  void aShardCatchingUpAgainAfterTheLossStaysReadableUntilItIsLive() {
    loseLeader();
    leader.put(key(3), "written while the follower was away");
    sayHelloAgain();

    List<ControlMessage> sent = follower.requests();
    assertEquals(List.of(CATCH_UP_REQUEST, CATCH_UP_REQUEST), kinds(sent));
    assertEquals(Set.of(S, OTHER), follower.view().readable(), "catching up from where it stands: still complete");
    assertEquals(Set.of(), follower.view().live());
    sent.forEach(request -> follower.deliver(leader.answer(request)));
    follower.exchange();
    assertEquals(Set.of(S, OTHER), follower.view().live());
    follower.assertSameAsLeader(S);
  }

  @Test
  void aSnapshotInstallAfterTheLossMakesTheShardUnreadableBeforeTheWipe() {
    loseLeader();
    watchShardS();
    write(S, 5);
    leader.trimBacklog(S); // the follower can only sync S by snapshot
    sayHelloAgain();

    follower.exchange();

    assertEquals(List.of(true), storedWhenUnreadable, "S left readable while its data was still there");
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().readable().contains(S), "readable again once live");
  }

  @Test
  void aShardWhoseSnapshotFailsIsNotReadableDuringTheBackoff() {
    loseLeader();
    write(S, 1);
    leader.trimBacklog(S);
    leader.failSnapshots("the leader could not read its data");
    sayHelloAgain();

    follower.exchange();

    assertFalse(follower.view().readable().contains(S), "wiped, waiting to take the snapshot again");
    assertTrue(follower.view().readable().contains(OTHER));
  }

  @Test
  void aGapMakesTheShardUnreadableUntilItIsCaughtUp() {
    leader.put(key(3), "lost by the socket");
    follower.publish(published(leader.put(key(4), "after the gap")));

    assertFalse(follower.view().readable().contains(S), "a copy known to miss events is not served, even stale");
    assertTrue(follower.view().readable().contains(OTHER));
    follower.exchange();
    assertTrue(follower.view().readable().contains(S));
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aLostTailSeenOnAHeartbeatMakesTheShardUnreadable() {
    leader.put(key(0), "changed, lost by the socket");

    follower.publish(leader.heartbeat(S));

    assertFalse(follower.view().readable().contains(S));
    follower.exchange();
    assertTrue(follower.view().readable().contains(S));
  }

  @Test
  void aDivergentCopyLeavesReadableBeforeItIsWiped() {
    watchShardS();
    tamper(S, key(1));

    follower.publish(published(leader.put(key(1), "new")));

    assertEquals(List.of(true), storedWhenUnreadable);
    follower.exchange();
    follower.assertSameAsLeader(S);
  }

  @Test
  void anUnassignedShardLeavesReadableBeforeItsDataIsDropped() {
    loseLeader(); // not live, only readable: dropping it must still withdraw it first
    sayHelloAgain();
    watchShardS();

    follower.deliver(FakeLeader.assignment(2, OTHER));

    assertEquals(List.of(true), storedWhenUnreadable);
    assertFalse(follower.stored(S, key(0)), "the data is dropped");
    assertEquals(Set.of(OTHER), follower.view().readable());
  }

  @Test
  void aNewLeadersWipeMakesEveryShardUnreadableFirst() {
    loseLeader();
    watchShardS();
    FakeLeader other = new FakeLeader("leader-2", 1, SHARDS); // accepted only with --accept-new-leader
    long withdrawals = follower.view().withdrawals();

    follower.sync.onTimer();
    follower.deliver(other.welcome());

    assertEquals(List.of(true), storedWhenUnreadable);
    assertFalse(follower.stored(S, key(0)), "wiped for the new leader");
    assertEquals(Set.of(), follower.view().readable());
    assertEquals(withdrawals + 1, follower.view().withdrawals(), "leaving readable is a withdrawal too");
  }

  @Test
  void aRestartedFollowerServesItsCompleteShardsBeforeAnyHello() {
    follower.crash();

    follower.start();

    assertEquals(Set.of(S, OTHER), follower.view().readable(), "complete in the data dir: readable from start-up");
    assertEquals(Set.of(), follower.view().live());
    assertEquals("connecting", follower.view().state());
    assertEquals(SHARDS, follower.view().shards());
    follower.sync.onTimer();
    follower.deliver(leader.welcome());
    assertEquals(Set.of(S, OTHER), follower.view().readable(), "a welcome from the same leader changes nothing");
    follower.deliver(FakeLeader.assignment(2, S));
    assertEquals(Set.of(S), follower.view().readable(), "the assignment drops OTHER");
    assertFalse(follower.stored(OTHER, leader.keyIn(OTHER, 0)));
    follower.exchange();
    assertEquals(Set.of(S), follower.view().live());
  }

  @Test
  void aRestartedFollowerServesAnEmptyShardItHeldComplete() {
    int empty = 3; // never written: no data and seq 0, yet a complete copy of an empty shard
    follower.deliver(FakeLeader.assignment(2, S, OTHER, empty));
    follower.exchange();
    assertEquals(Set.of(S, OTHER, empty), follower.view().live());
    follower.crash();

    follower.start();

    assertEquals(Set.of(S, OTHER, empty), follower.view().readable(), "an empty shard held live is complete too");
  }

  @Test
  void anEmptyShardNoLongerAssignedIsNotServedAfterARestart() {
    int empty = 3;
    follower.deliver(FakeLeader.assignment(2, S, OTHER, empty));
    follower.exchange();
    follower.deliver(FakeLeader.assignment(3, S, OTHER));
    follower.crash();

    follower.start();

    assertEquals(Set.of(S, OTHER), follower.view().readable(), "dropped: no longer held");
  }

  @Test
  void aRestartedFollowerDoesNotServeSuspectOrHalfInstalledShards() {
    tamper(OTHER, leader.keyIn(OTHER, 0)); // its digest no longer matches at start-up
    write(S, 5);
    leader.trimBacklog(S);
    follower.publish(leader.heartbeat(S)); // behind: S takes a snapshot
    follower.deliver(leader.answer(follower.requests().get(0))); // snapshot required
    follower.deliver(leader.answer(follower.requests().get(0))); // the first chunk is installed
    follower.crash();

    follower.start();

    assertEquals(Set.of(), follower.view().readable(), "S is half installed, OTHER does not match its digest");
  }

  private void loseLeader() {
    follower.nowMs += Session.MIN_SILENCE_MS + 1;
    follower.sync.onTimer();
    assertEquals("connecting", follower.view().state());
  }

  /** The follower says hello, the leader welcomes it and assigns it the same shards as before. */
  private void sayHelloAgain() {
    follower.sync.onTimer();
    assertEquals(List.of(HELLO), kinds(follower.take()));
    follower.deliver(leader.welcome());
    follower.deliver(FakeLeader.assignment(1, S, OTHER));
  }

  private void watchShardS() {
    String first = key(0);
    follower.onPublish = view -> {
      if (!view.readable().contains(S) && storedWhenUnreadable.isEmpty()) {
        storedWhenUnreadable.add(follower.stored(S, first));
      }
    };
  }

  private void write(int shard, int count) {
    int start = leader.data(shard).size();
    for (int i = start; i < start + count; i++) {
      leader.put(leader.keyIn(shard, i), "value-" + i);
    }
  }

  private String key(int n) {
    return leader.keyIn(S, n);
  }

  private void tamper(int shard, String key) {
    StoreBatch batch = follower.store.newBatch();
    batch.putData(shard, key.getBytes(StandardCharsets.UTF_8), new StoredValue("tampered".getBytes(StandardCharsets.UTF_8), 0, 0));
    follower.store.write(batch);
  }

  private static List<ControlMessage.BodyCase> kinds(List<ControlMessage> messages) {
    return messages.stream().map(ControlMessage::getBodyCase).toList();
  }
}
