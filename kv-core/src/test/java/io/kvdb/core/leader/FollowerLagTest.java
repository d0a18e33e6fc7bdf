package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lag_ms} as cluster.proto defines it: how long ago, on the leader's clock, the follower's
 * oldest un-applied write was committed. The clock is injected; a restart starts a new clock.
 */
class FollowerLagTest {
  private static final int SHARDS = 4;
  private static final long DEAD_MS = 60_000;
  private static final ShardFunction SHARD_OF = new ShardFunction(SHARDS);

  @TempDir Path dir;
  private KvStore store;
  private ScheduledExecutorService timer;
  private final List<WritePipeline> pipelines = new ArrayList<>();
  /** The leader's monotonic clock, in ms. */
  private long now;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    timer = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void close() {
    pipelines.forEach(WritePipeline::close);
    timer.shutdownNow();
    store.close();
  }

  @Test
  void lagIsTheAgeOfTheOldestUnappliedWriteAndCountsFromTheRestartForOlderOnes() throws Exception {
    String key1 = keyInShard(0, 0);
    String key2 = keyInShard(0, 1);
    String key3 = keyInShard(0, 2);

    now = 1_000;
    WritePipeline pipeline = pipeline(1);
    Membership membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 1, DEAD_MS, timer, now);
    LeaderReplicas replicas = new LeaderReplicas(membership, pipeline, () -> now);
    membership.hello("a", "a:1", List.of(), now);
    Assignment assignment = membership.tick(now).get("a");
    replicas.onAck(ack(assignment, 0, 0));
    assertEquals(0, lagOf(replicas), "caught up");

    now = 2_000;
    await(pipeline.put(key1, bytes("v"))); // seq 1 of shard 0, committed at 2000
    now = 2_500;
    await(pipeline.put(key2, bytes("v"))); // seq 2, committed at 2500
    now = 2_600;
    assertEquals(600, lagOf(replicas), "seq 1, committed at 2000, is the oldest it has not applied");
    now = 3_000;
    replicas.onAck(ack(assignment, 0, 1));
    now = 4_000;
    assertEquals(1_500, lagOf(replicas), "after applying seq 1: seq 2, committed at 2500");

    // A leader restart: a new epoch and a new monotonic clock that starts anywhere (here lower).
    pipeline.close();
    now = 50;
    WritePipeline restarted = pipeline(2);
    Membership membershipAfter = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 1, DEAD_MS, timer, now);
    LeaderReplicas replicasAfter = new LeaderReplicas(membershipAfter, restarted, () -> now);
    now = 60;
    Assignment back = membershipAfter.hello("a", "a:1", positions(0, 1), now);
    replicasAfter.onAck(ack(back, 0, 1));
    now = 300;
    assertEquals(250, lagOf(replicasAfter), "seq 2 was committed before the restart: it counts from the restart at 50");

    now = 400;
    await(restarted.put(key3, bytes("v"))); // seq 3, committed at 400 in this run
    now = 450;
    replicasAfter.onAck(ack(back, 0, 2));
    now = 1_000;
    assertEquals(600, lagOf(replicasAfter), "seq 3, committed at 400 after the restart");
    replicasAfter.onAck(ack(back, 0, 3));
    assertEquals(0, lagOf(replicasAfter), "caught up again");
  }

  private WritePipeline pipeline(long epoch) {
    WritePipeline pipeline = PipelineFixture.pipeline(store, SHARDS, epoch, () -> now);
    pipelines.add(pipeline);
    return pipeline;
  }

  private static long lagOf(LeaderReplicas replicas) {
    List<FollowerInfo> followers = replicas.followers();
    assertEquals(1, followers.size());
    return followers.get(0).getLagMs();
  }

  /** An ack of every shard of {@code assignment}: {@code applied} in {@code shard}, 0 elsewhere. */
  private static Ack ack(Assignment assignment, int shard, long applied) {
    Ack.Builder ack = Ack.newBuilder().setFollowerId("a").setAssignmentVersion(assignment.getVersion());
    assignment.getShardsList().forEach(s -> ack.addPositions(
        ShardPosition.newBuilder().setShard(s).setAppliedSeq(s == shard ? applied : 0).setAppliedEpoch(1)));
    return ack.build();
  }

  private static List<ShardPosition> positions(int shard, long applied) {
    List<ShardPosition> positions = new ArrayList<>();
    for (int s = 0; s < SHARDS; s++) {
      positions.add(ShardPosition.newBuilder().setShard(s).setAppliedSeq(s == shard ? applied : 0).setAppliedEpoch(1).build());
    }
    return positions;
  }

  private static String keyInShard(int shard, int nth) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (SHARD_OF.shardOf(key) == shard && found++ == nth) {
        return key;
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
