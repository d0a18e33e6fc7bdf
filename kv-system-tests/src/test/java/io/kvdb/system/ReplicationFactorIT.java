package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Leader + 3 followers with R=1 and R=2: every follower ends up with exactly its shards. */
@Timeout(300)
class ReplicationFactorIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void withOneCopyEachFollowerHoldsExactlyItsShardsAndALateJoinerCatchesUp() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "16", "--replication-factor", "1")) {
      cluster.startLeader();
      for (String id : new String[] {"f1", "f2", "f3"}) {
        cluster.addFollower(id);
      }
      Load load = new Load(cluster.client(), "r1", 8, 200).run(1250); // 10,000 writes and deletes
      assertEquals(10_000, load.acknowledged());
      Convergence.await(cluster, CONVERGE);

      // Slow joiner: started after 10,000 writes, it takes its share of shards and catches up.
      cluster.addFollower("late");
      cluster.awaitAlive("late");
      Convergence.await(cluster, CONVERGE);
      FollowerInfo late = cluster.info("late");
      assertTrue(late.getShardsCount() > 0, "the late follower was given shards: " + late);
      assertEquals(0, late.getLagEvents());
      assertNoForeignData(cluster, 16);
    }
  }

  @Test
  void withTwoCopiesEveryShardLivesOnTwoFollowers() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "16", "--replication-factor", "2")) {
      cluster.startLeader();
      for (String id : new String[] {"f1", "f2", "f3"}) {
        cluster.addFollower(id);
      }
      Load load = new Load(cluster.client(), "r2", 8, 100).run(250);
      assertEquals(2000, load.acknowledged());
      Convergence.await(cluster, CONVERGE);
      StatusResponse status = cluster.status();
      int placements = status.getFollowersList().stream().mapToInt(FollowerInfo::getShardsCount).sum();
      assertEquals(32, placements, "16 shards x 2 copies");
      assertTrue(status.getUnplacedShardsList().isEmpty());
      assertNoForeignData(cluster, 16);
    }
  }

  /** Stops the followers and reads their data dirs: no key of a shard that is not placed there. */
  private static void assertNoForeignData(TestCluster cluster, int shards) {
    StatusResponse status = cluster.status();
    for (FollowerInfo info : status.getFollowersList()) {
      Set<Integer> placed = new HashSet<>(info.getShardsList());
      TestCluster.Follower follower = cluster.follower(info.getId());
      follower.process.terminate(Duration.ofSeconds(20));
      try (KvStore store = KvStore.open(follower.dataDir, false)) {
        for (int shard = 0; shard < shards; shard++) {
          if (placed.contains(shard)) {
            continue;
          }
          try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
            assertTrue(!cursor.next(), info.getId() + " holds a key of shard " + shard + " not placed on it");
          }
          assertEquals(0, store.shardState(shard).seq(), info.getId() + " keeps an applied seq for shard " + shard);
        }
      }
    }
  }
}
