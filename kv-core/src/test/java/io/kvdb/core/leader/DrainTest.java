package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster.Drain and Undrain and under-replicated shards, on the leader's membership over a real
 * store, driven tick by tick with an injected clock (no sockets, no threads of its own).
 */
class DrainTest {
  private static final int SHARDS = 16;
  private static final long DEAD_MS = 1000;

  @TempDir Path dir;
  private KvStore store;
  private ScheduledExecutorService timer;
  private WritePipeline pipeline;
  /** The leader's monotonic clock, in ms. */
  private long now;
  /** What each follower was last told. */
  private final Map<String, Assignment> told = new HashMap<>();

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    timer = Executors.newSingleThreadScheduledExecutor();
    pipeline = PipelineFixture.pipeline(store, SHARDS, 1, () -> now);
  }

  @AfterEach
  void close() {
    pipeline.close();
    store.close();
    timer.shutdownNow();
  }

  @Test
  void drainMovesTheShardsMakeBeforeBreakThenEmptiesTheFollowerAndAnswers() throws Exception {
    Membership membership = threeFollowers(2);
    Set<Integer> heldByC = new TreeSet<>(told.get("c").getShardsList());
    assertFalse(heldByC.isEmpty());

    CompletableFuture<DrainResponse> drained = membership.drain("c");
    Map<String, Assignment> moved = tick(membership);
    assertFalse(moved.containsKey("c"), "c keeps its shards until their new holders are ready");
    for (int shard : heldByC) {
      assertEquals(Set.of("a", "b", "c"), Set.copyOf(membership.holdersOf(shard)),
          "shard " + shard + " is copied to the other follower first");
    }
    assertFalse(drained.isDone());

    ack(membership, "a");
    ack(membership, "b");
    Map<String, Assignment> released = tick(membership);
    assertEquals(List.of(), released.get("c").getShardsList(), "c is told it holds nothing");
    for (int shard = 0; shard < SHARDS; shard++) {
      assertEquals(List.of("a", "b"), membership.holdersOf(shard), "shard " + shard);
    }
    tick(membership);
    assertFalse(drained.isDone(), "done only once c acked its empty assignment");

    ack(membership, "c");
    tick(membership);
    DrainResponse reply = drained.get(0, TimeUnit.SECONDS);
    assertEquals(List.copyOf(heldByC), reply.getMovedShardsList());
    assertEquals(told.get("c").getVersion(), reply.getAssignmentVersion());
    assertTrue(drainedIn(membership, "c"));

    CompletableFuture<DrainResponse> again = membership.drain("c");
    tick(membership);
    assertEquals(List.of(), again.get(0, TimeUnit.SECONDS).getMovedShardsList(), "draining it again: nothing moves");
  }

  @Test
  void aFollowerDyingDuringADrainLeavesTheDrainedCopyInPlaceUntilAnotherFollowerJoins() throws Exception {
    Membership membership = threeFollowers(2);
    Set<Integer> heldByC = new TreeSet<>(told.get("c").getShardsList());
    CompletableFuture<DrainResponse> drained = membership.drain("c");
    tick(membership);
    for (int i = 0; i < 6; i++) { // b falls silent and is declared dead; a and c ack what they are told
      now += DEAD_MS / 4;
      ack(membership, "a");
      ack(membership, "c");
      tick(membership);
    }
    assertFalse(membership.isAlive("b"));
    settleWithout(membership, "b");
    assertEquals(heldByC, new TreeSet<>(told.get("c").getShardsList()),
        "with a alone to take them, c keeps its copies: R=2 copies are a's and c's");
    for (int shard : heldByC) {
      assertEquals(List.of("a", "c"), membership.holdersOf(shard), "shard " + shard);
    }
    assertFalse(drained.isDone());

    hello(membership, "d");
    settleWithout(membership, "b");
    assertEquals(List.of(), told.get("c").getShardsList(), "d took c's place");
    assertEquals(List.copyOf(heldByC), drained.get(0, TimeUnit.SECONDS).getMovedShardsList());
  }

  @Test
  void aDrainIsRefusedBeforeAnythingMovesWhenFewerThanROtherLiveFollowersExist() {
    Membership membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 2, DEAD_MS, timer, now);
    hello(membership, "a");
    hello(membership, "b");
    tick(membership);
    ack(membership, "a");
    ack(membership, "b");
    long version = membership.version();

    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> membership.drain("b"));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().contains("R=2 needs at least 2 other live"),
        refused.getStatus().getDescription());
    assertTrue(tick(membership).isEmpty(), "nothing moves");
    assertEquals(version, membership.version());
    assertEquals(List.of("a", "b"), membership.holdersOf(0));
    assertFalse(drainedIn(new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 2, DEAD_MS, timer, now), "b"),
        "and nothing was kept");
  }

  @Test
  void aDrainTheDataDirCannotKeepIsRefusedAndChangesNothing() {
    long reserve = 100L << 20;
    long[] free = {reserve + (10L << 20)};
    Membership membership = new Membership(store, new DiskSpace(dir, "leader", reserve, () -> free[0]), SHARDS, 1,
        DEAD_MS, timer, now);
    hello(membership, "a");
    hello(membership, "b");
    tick(membership);
    ackEveryone(membership);
    free[0] = reserve; // any write would eat into the reserve

    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> membership.drain("b"));
    assertTrue(ErrorReasons.hasReason(refused, ErrorReasons.DISK_FULL), refused.toString());
    assertTrue(tick(membership).isEmpty(), "nothing moves");
    assertFalse(drainedIn(membership, "b"));
  }

  @Test
  void anUnknownFollowerIsNotFound() {
    Membership membership = threeFollowers(1);
    assertEquals(Status.Code.NOT_FOUND,
        assertThrows(StatusRuntimeException.class, () -> membership.drain("nobody")).getStatus().getCode());
    assertEquals(Status.Code.NOT_FOUND,
        assertThrows(StatusRuntimeException.class, () -> membership.undrain("nobody")).getStatus().getCode());
    assertFalse(membership.undrain("a"), "a follower that was not drained stays as it is");
  }

  @Test
  void aDrainedFollowerStaysOutAcrossALeaderRestartUntilUndrained() throws Exception {
    Membership membership = threeFollowers(2);
    CompletableFuture<DrainResponse> drained = membership.drain("c");
    settle(membership);
    assertTrue(drained.isDone());

    now += 100_000;
    Membership restarted = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 2, DEAD_MS, timer, now);
    told.clear();
    for (String id : List.of("a", "b", "c")) {
      told.put(id, restarted.hello(id, id + ":1", List.of(), now));
    }
    assertEquals(List.of(), told.get("c").getShardsList(), "c is given nothing back at its hello");
    now += DEAD_MS + 1; // past the grace period: placement runs again
    for (int i = 0; i < 5; i++) {
      ackEveryone(restarted);
      tick(restarted);
    }
    assertEquals(List.of(), told.get("c").getShardsList(), "placement leaves c out after the restart");
    assertTrue(drainedIn(restarted, "c"));

    assertTrue(restarted.undrain("c"));
    Assignment back = tick(restarted).get("c");
    assertFalse(back.getShardsList().isEmpty(), "undrained, c takes shards again");
    assertFalse(drainedIn(restarted, "c"));
  }

  @Test
  void aDeadFollowerIsDrainedAtOnce() throws Exception {
    Membership membership = threeFollowers(2);
    for (int i = 0; i < 6; i++) { // c falls silent and is declared dead
      now += DEAD_MS / 4; // below the leader's stall limit
      ack(membership, "a");
      ack(membership, "b");
      tick(membership);
    }
    assertFalse(membership.isAlive("c"));
    assertFalse(told.get("c").getShardsList().isEmpty(), "a dead follower keeps its assignment for its return");

    CompletableFuture<DrainResponse> drained = membership.drain("c");
    tick(membership);
    assertEquals(List.of(), told.get("c").getShardsList());
    tick(membership);
    assertTrue(drained.isDone());
    assertEquals(List.of(), membership.hello("c", "c:1", List.of(), now).getShardsList(),
        "it drops its data when it comes back");
  }

  @Test
  void anUndrainEndsTheWaitingDrainWithAborted() {
    Membership membership = threeFollowers(2);
    CompletableFuture<DrainResponse> drained = membership.drain("c");
    tick(membership);
    assertTrue(membership.undrain("c"));
    ExecutionException ended = assertThrows(ExecutionException.class, () -> drained.get(0, TimeUnit.SECONDS));
    assertEquals(Status.Code.ABORTED, Status.fromThrowable(ended.getCause()).getCode());
  }

  @Test
  void aShardIsUnderReplicatedWhileFewerThanRFollowersHoldItCaughtUp() throws Exception {
    Membership membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 2, DEAD_MS, timer, now);
    LeaderReplicas replicas = new LeaderReplicas(membership, pipeline, () -> now);
    assertEquals(allShards(), underReplicated(replicas), "no follower yet");
    hello(membership, "a");
    hello(membership, "b");
    tick(membership);
    assertEquals(allShards(), underReplicated(replicas), "placed, but neither acked its assignment yet");
    ack(membership, "a");
    ack(membership, "b");
    assertEquals(List.of(), underReplicated(replicas));

    String key = "k";
    int shard = new ShardFunction(SHARDS).shardOf(key);
    await(pipeline.put(key, "v".getBytes(StandardCharsets.UTF_8))); // seq 1 of its shard, neither applied it
    now += UnderReplication.ACK_WINDOW_MS;
    assertEquals(List.of(), underReplicated(replicas), "within the ack window both still count as caught up");
    now += 1;
    assertEquals(List.of(shard), underReplicated(replicas), "past it, neither does");
    membership.ack(ackOf("b", told.get("b"), s -> s == shard ? 1 : 0), now);
    assertEquals(List.of(shard), underReplicated(replicas), "one caught-up holder of two");
    membership.ack(ackOf("a", told.get("a"), s -> s == shard ? 1 : 0), now);
    assertEquals(List.of(), underReplicated(replicas));

    for (int i = 0; i < 6; i++) { // b falls silent and is declared dead
      now += DEAD_MS / 4; // below the leader's stall limit
      membership.ack(ackOf("a", told.get("a"), s -> s == shard ? 1 : 0), now);
      tick(membership);
    }
    assertFalse(membership.isAlive("b"));
    assertEquals(allShards(), underReplicated(replicas), "one live follower for R=2");

    hello(membership, "c");
    tick(membership);
    assertEquals(allShards(), underReplicated(replicas), "c is still catching up");
    membership.ack(ackOf("c", told.get("c"), s -> s == shard ? 1 : 0), now);
    assertEquals(List.of(), underReplicated(replicas), "re-placed and caught up");
  }

  /** R = {@code r}, followers a, b and c placed and acked at seq 0. */
  private Membership threeFollowers(int r) {
    Membership membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, r, DEAD_MS, timer, now);
    for (String id : List.of("a", "b", "c")) {
      hello(membership, id);
    }
    tick(membership);
    ackEveryone(membership);
    return membership;
  }

  /** Ten ticks, every follower but {@code silent} acking what it was told after each. */
  private void settleWithout(Membership membership, String silent) {
    for (int i = 0; i < 10; i++) {
      tick(membership);
      told.keySet().stream().filter(id -> !id.equals(silent)).forEach(id -> ack(membership, id));
    }
  }

  /** Ten ticks, every follower acking what it was told after each. */
  private void settle(Membership membership) {
    for (int i = 0; i < 10; i++) {
      tick(membership);
      ackEveryone(membership);
    }
  }

  private void hello(Membership membership, String id) {
    told.put(id, membership.hello(id, id + ":1", List.of(), now));
  }

  private Map<String, Assignment> tick(Membership membership) {
    now += 10;
    Map<String, Assignment> changed = membership.tick(now);
    told.putAll(changed);
    return changed;
  }

  private void ackEveryone(Membership membership) {
    told.keySet().forEach(id -> ack(membership, id));
  }

  /** {@code id} acks what it was last told, with everything applied up to seq 0. */
  private void ack(Membership membership, String id) {
    membership.ack(ackOf(id, told.get(id), s -> 0), now);
  }

  private static Ack ackOf(String id, Assignment assignment, IntToLongFunction applied) {
    Ack.Builder ack = Ack.newBuilder().setFollowerId(id).setAssignmentVersion(assignment.getVersion());
    assignment.getShardsList().forEach(s -> ack.addPositions(
        ShardPosition.newBuilder().setShard(s).setAppliedSeq(applied.applyAsLong(s)).setAppliedEpoch(1)));
    return ack.build();
  }

  private boolean drainedIn(Membership membership, String id) {
    return new LeaderReplicas(membership, pipeline, () -> now).followers().stream()
        .filter(info -> info.getId().equals(id)).findFirst().map(FollowerInfo::getDrained).orElseThrow();
  }

  private static List<Integer> underReplicated(LeaderReplicas replicas) {
    return replicas.report(SHARDS).underReplicated();
  }

  private static List<Integer> allShards() {
    return IntStream.range(0, SHARDS).boxed().toList();
  }
}
