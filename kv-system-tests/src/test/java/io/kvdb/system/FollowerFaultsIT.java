package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import io.kvdb.core.storage.StoredValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Followers killed, stopped, left behind and tampered with, on one cluster of real processes
 * (R=1, 16 shards, a backlog of only 50 events per shard, a 3 s dead timeout). Each scenario ends
 * converged, so their order does not matter.
 */
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FollowerFaultsIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private TestCluster cluster;

  @BeforeAll
  void startCluster() {
    cluster = new TestCluster(dir, "--shards", "16", "--backlog-events", "50", "--dead-timeout-ms", "3000");
    cluster.startLeader();
    for (String id : List.of("f1", "f2", "f3")) {
      cluster.addFollower(id);
    }
    for (String id : List.of("f1", "f2", "f3")) {
      cluster.awaitAlive(id);
    }
    Convergence.await(cluster, CONVERGE);
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @Test
  void followerKilledMidLoadConvergesAfterRestart() {
    Load load = new Load(cluster.client(), "kill", 8, 100).start(400);
    cluster.await("a third of the load is written", Duration.ofSeconds(60), () -> load.acknowledged() > 1000);
    cluster.follower("f1").process.kill();
    load.awaitDone(Duration.ofMinutes(3).toMillis());
    cluster.follower("f1").start();
    cluster.awaitAlive("f1");
    Convergence.await(cluster, CONVERGE);
    Load.Verdict verdict = load.verify(cluster.client());
    assertEquals(0, verdict.lost(), verdict.examples().toString());
    assertEquals(0, verdict.resurrected(), verdict.examples().toString());
    assertEquals(3200, load.acknowledged());
  }

  @Test
  void followerBehindTheBacklogCatchesUpBySnapshot() {
    TestCluster.Follower f2 = cluster.follower("f2");
    f2.process.terminate(Duration.ofSeconds(20));
    new Load(cluster.client(), "behind", 8, 50).run(250); // 2000 writes: > 50 per shard on average
    // Writes go on while f2 pulls its snapshots: it must catch up from the pinned backlog after them.
    Load during = new Load(cluster.client(), "during", 4, 50).start(300);
    f2.start();
    cluster.awaitAlive("f2");
    during.awaitDone(Duration.ofMinutes(2).toMillis());
    Convergence.await(cluster, CONVERGE);
    assertTrue(f2.log().contains("snapshot installed"), "f2 caught up by snapshot:\n" + f2.log());
  }

  @Test
  void deadFollowersShardsMoveToTheLiveOnesAndComeBackWithIt() {
    List<Integer> before = cluster.info("f3").getShardsList();
    assertTrue(!before.isEmpty());
    cluster.follower("f3").process.kill();
    cluster.await("f3 is declared dead", Duration.ofSeconds(30), () -> !cluster.info("f3").getAlive());
    new Load(cluster.client(), "dead", 4, 50).run(100);
    // Every shard, f3's included, has its one copy on f1 or f2.
    Convergence.await(cluster, CONVERGE);
    cluster.follower("f3").start();
    cluster.awaitAlive("f3");
    Convergence.await(cluster, CONVERGE);
    assertEquals(before, cluster.info("f3").getShardsList(), "placement settles back to f3's shards");
  }

  @Test
  void waitForAcksCountsTheHolderOnlyWhenItApplied() {
    WriteResponse acked = cluster.kv().put(put("acks/key", 1, 5000));
    assertEquals(1, acked.getAcks(), "with its follower running, the write is acknowledged by it");
    assertEquals(1, acked.getFollowersCount());
    TestCluster.Follower holder = cluster.follower(acked.getFollowers(0));
    holder.process.pause();
    try {
      WriteResponse timedOut = cluster.kv().put(put("acks/key", 1, 300));
      assertEquals(0, timedOut.getAcks(), "a stopped follower cannot ack; the timeout is not an error");
      assertTrue(timedOut.getSeq() > acked.getSeq(), "the write was committed anyway");
    } finally {
      holder.process.resume();
    }
    Convergence.await(cluster, CONVERGE);
  }

  @Test
  void followerDataAlteredBehindItsBackIsDetectedAndRepairedBySnapshot() {
    new Load(cluster.client(), "tamper", 4, 20).run(50);
    Convergence.await(cluster, CONVERGE);
    FollowerInfo info = cluster.info("f1");
    TestCluster.Follower f1 = cluster.follower("f1");
    f1.process.terminate(Duration.ofSeconds(20));
    int shard = info.getShards(0);
    try (KvStore store = KvStore.open(f1.dataDir, false); StoreBatch batch = store.newBatch()) {
      // Change one value and add a key, without touching the shard's digest: a silent corruption.
      try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
        if (cursor.next()) {
          batch.putData(shard, cursor.key(), new StoredValue("tampered".getBytes(StandardCharsets.UTF_8), 0, 0));
        }
      }
      batch.putData(shard, "tamper/extra".getBytes(StandardCharsets.UTF_8), new StoredValue(new byte[] {1}, 0, 0));
      store.write(batch);
    }
    f1.start();
    cluster.awaitAlive("f1");
    Convergence.await(cluster, CONVERGE);
    assertTrue(f1.log().contains("does not match its digest"), "f1 noticed the corruption:\n" + f1.log());
  }

  private static PutRequest put(String key, int minAcks, int timeoutMs) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(minAcks).setTimeoutMs(timeoutMs)).build();
  }
}
