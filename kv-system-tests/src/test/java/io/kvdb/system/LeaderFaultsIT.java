package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.WriteResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The leader killed, restored from a backup, or replaced by an empty one, with real followers. */
@Timeout(300)
class LeaderFaultsIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void leaderKilledAndRestartedContinuesItsSeqsAndFollowersResumeWithoutResync() {
    try (TestCluster cluster = started("--shards", "16")) {
      new Load(cluster.client(), "before", 8, 100).run(125);
      Convergence.await(cluster, CONVERGE);
      WriteResponse last = cluster.kv().put(put("probe"));
      Map<String, List<Integer>> placement = placement(cluster);

      cluster.leader().kill();
      cluster.startLeader();
      WriteResponse next = cluster.kv().put(put("probe"));
      assertEquals(last.getShard(), next.getShard());
      assertEquals(last.getSeq() + 1, next.getSeq(), "the shard's seq continues after kill -9 (durable mode)");
      assertTrue(next.getEpoch() > last.getEpoch(), "a new epoch per leader start");

      new Load(cluster.client(), "after", 8, 100).run(125);
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);
      assertEquals(placement, placement(cluster), "no shard moved");
      for (String id : List.of("f1", "f2")) {
        String log = cluster.follower(id).log();
        assertFalse(log.contains("taking a snapshot"), id + " resumed from the backlog, no snapshot:\n" + log);
      }
    }
  }

  @Test
  void leaderRestoredFromAnOlderBackupIsCopiedBackToTheFollowersThatAreAhead() throws IOException {
    try (TestCluster cluster = started("--shards", "16")) {
      new Load(cluster.client(), "old", 8, 100).run(100);
      Convergence.await(cluster, CONVERGE);
      cluster.leader().terminate(Duration.ofSeconds(20));
      Path backup = dir.resolve("backup");
      copy(dir.resolve("leader"), backup);
      cluster.startLeader();
      new Load(cluster.client(), "lost", 8, 100).run(100);
      Convergence.await(cluster, CONVERGE);

      // The operator restores the backup: the followers are now ahead of the leader.
      cluster.leader().terminate(Duration.ofSeconds(20));
      cluster.startLeader(backup);
      Map<Integer, ShardDigest> restored = Convergence.leaderDigests(cluster);
      Convergence.await(cluster, CONVERGE);
      assertEquals(restored, Convergence.leaderDigests(cluster));
      assertTrue(cluster.follower("f1").log().contains("taking a snapshot")
          || cluster.follower("f2").log().contains("taking a snapshot"), "followers re-synced by snapshot");
    }
  }

  @Test
  void followersRefuseAnEmptyNewLeaderAndKeepTheirData() {
    try (TestCluster cluster = started("--shards", "16")) {
      new Load(cluster.client(), "keep", 8, 100).run(100);
      Convergence.await(cluster, CONVERGE);
      Map<String, Long> keysBefore = new HashMap<>();
      for (String id : List.of("f1", "f2")) {
        keysBefore.put(id, keys(cluster.follower(id).status()));
      }
      cluster.leader().terminate(Duration.ofSeconds(20));
      cluster.startLeader(dir.resolve("empty-leader"));

      for (String id : List.of("f1", "f2")) {
        TestCluster.Follower follower = cluster.follower(id);
        cluster.await(id + " refuses the new leader", Duration.ofSeconds(30),
            () -> follower.status().getState().equals("refused"));
        FollowerStatusResponse status = follower.status();
        assertTrue(status.getReason().contains("--accept-new-leader"), status.getReason());
        assertEquals(keysBefore.get(id), keys(status), id + " keeps its data");
      }
      assertEquals(0, cluster.status().getFollowersCount(), "the new leader placed nothing on them");

      // The operator decides: f1 accepts the new leader, wipes its copy and follows it.
      TestCluster.Follower f1 = cluster.follower("f1");
      f1.process.terminate(Duration.ofSeconds(20));
      f1.extraArgs = List.of("--accept-new-leader");
      f1.start();
      cluster.awaitAlive("f1");
      cluster.await("f1 follows the new leader", Duration.ofSeconds(30),
          () -> f1.status().getState().equals("live"));
      assertEquals(0, keys(f1.status()), "f1 wiped the old leader's data");
    }
  }

  private TestCluster started(String... leaderArgs) {
    TestCluster cluster = new TestCluster(dir, leaderArgs);
    cluster.startLeader();
    cluster.addFollower("f1");
    cluster.addFollower("f2");
    cluster.awaitAlive("f1");
    cluster.awaitAlive("f2");
    return cluster;
  }

  private static long keys(FollowerStatusResponse status) {
    return status.getShardsList().stream().mapToLong(ShardDigest::getKeys).sum();
  }

  private static Map<String, List<Integer>> placement(TestCluster cluster) {
    Map<String, List<Integer>> placement = new HashMap<>();
    cluster.status().getFollowersList().forEach(f -> placement.put(f.getId(), f.getShardsList()));
    return placement;
  }

  private static PutRequest put(String key) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("x")).build();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
