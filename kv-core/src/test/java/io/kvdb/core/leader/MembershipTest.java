package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placement, make-before-break, dead detection and persistence of the leader's membership, on a real store. */
class MembershipTest {
  private static final int SHARDS = 16;
  private static final long DEAD_MS = 1000;

  @TempDir Path dir;
  private KvStore store;
  private ScheduledExecutorService timer;
  private DiskSpace disk;
  private WritePipeline pipeline;

  private WritePipeline pipeline() {
    pipeline = PipelineFixture.pipeline(store, SHARDS, 1, () -> 0L);
    return pipeline;
  }

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    disk = new DiskSpace(dir, "leader", 0);
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
    store.close();
    timer.shutdownNow();
  }

  @Test
  void everyShardIsPlacedOnOneLiveFollowerWithRendezvousHashing() {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    membership.hello("b", "b:1", List.of(), 0);
    Map<String, Assignment> changed = membership.tick(10);
    Set<Integer> all = new HashSet<>();
    changed.values().forEach(a -> a.getShardsList().forEach(s -> assertTrue(all.add(s), "shard " + s + " placed twice")));
    assertEquals(SHARDS, all.size());
    for (int shard = 0; shard < SHARDS; shard++) {
      assertEquals(List.of(owner(changed, shard)), membership.holdersOf(shard));
    }
  }

  @Test
  void aJoiningFollowerTakesShardsOnlyAfterItCaughtUpAndTheOldHolderThenDropsThem() {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    Assignment first = membership.tick(10).get("a");
    ackAll(membership, "a", first, 20);
    assertEquals(SHARDS, first.getShardsCount());

    membership.hello("b", "b:1", List.of(), 30);
    Map<String, Assignment> joined = membership.tick(40);
    Assignment toB = joined.get("b");
    assertTrue(toB.getShardsCount() > 0 && toB.getShardsCount() < SHARDS, "b wins some shards: " + toB);
    assertFalse(joined.containsKey("a"), "a keeps everything until b has caught up (make-before-break)");
    int moving = toB.getShards(0);
    assertEquals(Set.of("a", "b"), new HashSet<>(membership.holdersOf(moving)));

    ackAll(membership, "b", toB, 50);
    Map<String, Assignment> settled = membership.tick(60);
    Assignment aNow = settled.get("a");
    assertEquals(SHARDS - toB.getShardsCount(), aNow.getShardsCount(), "a dropped exactly b's shards");
    assertEquals(List.of("b"), membership.holdersOf(moving));
    assertEquals(2, membership.placementsComputed(), "placed at a's start and at b's join; the hand-over re-placed nothing");
  }

  @Test
  void aTickWithNoMembershipChangeDoesNotRecomputePlacement() {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    membership.hello("b", "b:1", List.of(), 0);
    Map<String, Assignment> placed = membership.tick(10);
    assertEquals(1, membership.placementsComputed());
    for (long now = 20; now <= 900; now += 10) {
      ackAll(membership, "a", placed.get("a"), now);
      ackAll(membership, "b", placed.get("b"), now);
      assertTrue(membership.tick(now).isEmpty(), "nothing changed, nothing re-assigned at " + now);
    }
    assertEquals(1, membership.placementsComputed(), "90 ticks with the same live followers re-ran placement");

    membership.hello("c", "c:1", List.of(), 910);
    Assignment toC = membership.tick(920).get("c");
    assertEquals(2, membership.placementsComputed(), "a join re-places");
    for (long now = 930; now <= 2500; now += 10) {
      ackAll(membership, "a", placed.get("a"), now); // b falls silent
      ackAll(membership, "c", toC, now);
      membership.tick(now);
    }
    assertFalse(membership.isAlive("b"));
    assertTrue(membership.isAlive("c"));
    assertEquals(3, membership.placementsComputed(), "a death re-places once; the hand-overs after it re-place nothing");
  }

  @Test
  void holdersAreReadWhileTheControlThreadHoldsTheLock() throws Exception {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    membership.tick(10);
    CompletableFuture<List<String>> read = new CompletableFuture<>();
    synchronized (membership) {
      Thread reader = new Thread(() -> read.complete(membership.holdersOf(3)));
      reader.start();
      assertEquals(List.of("a"), read.get(10, TimeUnit.SECONDS), "holdersOf waited for Membership's lock");
      assertEquals(1, membership.version());
    }
  }

  @Test
  void aSilentFollowerIsDeclaredDeadAndItsShardsGoToTheLiveOnes() {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    membership.hello("b", "b:1", List.of(), 0);
    Map<String, Assignment> placed = membership.tick(10);
    ackAll(membership, "a", placed.get("a"), 20);
    // b stays silent; ticks keep coming (no leader stall).
    Map<String, Assignment> after = Map.of();
    for (long now = 100; now <= 1200; now += 100) {
      ackAll(membership, "a", current(membership, "a", placed, after), now);
      Map<String, Assignment> changed = membership.tick(now);
      if (!changed.isEmpty()) {
        after = changed;
      }
    }
    assertFalse(membership.isAlive("b"));
    assertEquals(SHARDS, after.get("a").getShardsCount(), "a holds every shard once b is dead");
  }

  @Test
  void aStalledLeaderDoesNotDeclareEveryoneDead() {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    membership.tick(10);
    membership.tick(5_000); // the leader itself was paused for 5 s
    assertTrue(membership.isAlive("a"));
  }

  @Test
  void placementSurvivesALeaderRestartAndNothingMovesDuringTheGracePeriod() {
    Membership before = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    before.hello("a", "a:1", List.of(), 0);
    before.hello("b", "b:1", List.of(), 0);
    Map<String, Assignment> placed = before.tick(10);

    Membership after = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 100_000);
    Assignment again = after.hello("a", "a:1", List.of(), 100_010);
    assertEquals(placed.get("a").getShardsList(), again.getShardsList(), "a gets its shards back");
    assertTrue(after.tick(100_020).isEmpty(), "b had no time to return yet: nothing re-placed");
    assertTrue(after.version() >= before.version());
  }

  @Test
  void aPlacementChangeBelowTheDiskReserveIsDeferredUntilThereIsRoom() {
    long reserve = 100L << 20;
    long[] free = {reserve}; // any write would eat into the reserve
    DiskSpace tight = new DiskSpace(dir, "leader", reserve, () -> free[0]);
    Membership membership = new Membership(store, tight, SHARDS, 1, DEAD_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    assertTrue(membership.tick(10).isEmpty(), "no follower is told an assignment the data dir did not keep");
    assertTrue(membership.tick(20).isEmpty());
    assertEquals(List.of(), membership.holdersOf(0));
    assertEquals(0, membership.version());

    free[0] = reserve + (10L << 20); // space freed
    Assignment placed = membership.tick(30).get("a");
    assertEquals(SHARDS, placed.getShardsCount(), "the deferred placement is made once there is room");
    assertEquals(List.of("a"), membership.holdersOf(0));
    Membership restarted = new Membership(store, tight, SHARDS, 1, DEAD_MS, timer, 100_000);
    assertEquals(placed.getShardsList(), restarted.hello("a", "a:1", List.of(), 100_010).getShardsList(),
        "and kept in the data dir");
  }

  @Test
  void acksOfAnOlderAssignmentVersionAreIgnoredAndAcksWakeWaiters() throws Exception {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    LeaderReplicas replicas = new LeaderReplicas(membership, pipeline(), () -> 0L);
    membership.hello("a", "a:1", List.of(), 0);
    Assignment assignment = membership.tick(10).get("a");
    int shard = assignment.getShards(0);
    CompletableFuture<Integer> waiting = replicas.awaitAcks(shard, 5, 1, 60_000);
    replicas.onAck(ack("a", assignment.getVersion() - 1, assignment, 9)); // stale version
    assertFalse(waiting.isDone());
    replicas.onAck(ack("a", assignment.getVersion(), assignment, 4)); // not far enough
    assertFalse(waiting.isDone());
    replicas.onAck(ack("a", assignment.getVersion(), assignment, 5));
    assertEquals(1, waiting.get());
  }

  @Test
  void waitingForAcksTimesOutWithTheCountReached() throws Exception {
    Membership membership = new Membership(store, disk, SHARDS, 1, DEAD_MS, timer, 0);
    LeaderReplicas replicas = new LeaderReplicas(membership, pipeline(), () -> 0L);
    assertEquals(0, replicas.awaitAcks(0, 1, 1, 50).get());
  }

  private static String owner(Map<String, Assignment> assignments, int shard) {
    return assignments.entrySet().stream().filter(e -> e.getValue().getShardsList().contains(shard))
        .map(Map.Entry::getKey).findFirst().orElseThrow();
  }

  private static Assignment current(Membership membership, String id, Map<String, Assignment> first,
      Map<String, Assignment> latest) {
    return latest.getOrDefault(id, first.get(id));
  }

  private static void ackAll(Membership membership, String id, Assignment assignment, long now) {
    membership.ack(ack(id, assignment.getVersion(), assignment, 10), now);
  }

  private static Ack ack(String id, long version, Assignment assignment, long applied) {
    Ack.Builder ack = Ack.newBuilder().setFollowerId(id).setAssignmentVersion(version);
    assignment.getShardsList().forEach(s ->
        ack.addPositions(ShardPosition.newBuilder().setShard(s).setAppliedSeq(applied).setAppliedEpoch(1)));
    return ack.build();
  }
}
