package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.client.KvBatch;
import io.kvdb.client.VersionConflictException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic batches with real processes: a batch with one failing condition changes nothing, on the
 * leader and on the followers (by digest); a good batch over several shards is seen whole on the leader.
 */
@Timeout(300)
class AtomicBatchIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final int SHARDS = 8;

  @TempDir Path dir;

  @Test
  void aFailedConditionChangesNothingAnywhereAndAGoodBatchIsSeenWhole() {
    try (TestCluster cluster = new TestCluster(dir, "--shards", Integer.toString(SHARDS), "--replication-factor", "2")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      long seeded = cluster.client().put("seed", utf8("1")).getVersion();
      Map<Integer, ShardDigest> before = Convergence.await(cluster, CONVERGE);

      KvBatch failing = KvBatch.builder();
      for (int i = 0; i < 20; i++) {
        failing.put("item-" + i, utf8("v" + i));
      }
      failing.delete("seed", seeded + 1);
      VersionConflictException conflict = assertThrows(VersionConflictException.class,
          () -> cluster.client().batch(failing.build()));
      assertEquals(20, conflict.failedIndex().orElseThrow(), "the delete's condition failed");
      assertEquals(seeded, conflict.currentVersion());
      assertEquals(List.of("seed"), keys(cluster), "nothing of the batch on the leader");
      assertEquals(before, Convergence.await(cluster, CONVERGE), "no shard changed, and the followers agree");

      KvBatch good = KvBatch.builder();
      for (int i = 0; i < 20; i++) {
        good.put("item-" + i, utf8("v" + i), 0);
      }
      good.delete("seed", seeded);
      BatchResponse done = cluster.client().batch(good.build());
      assertEquals(21, done.getResultsCount());
      Set<Integer> shards = new HashSet<>();
      done.getResultsList().forEach(result -> shards.add(result.getShard()));
      assertTrue(shards.size() > 1, "the batch spans several shards: " + shards);
      List<KeyValue> items = cluster.client().list("").toList();
      assertEquals(20, items.size(), "every put of the batch, and the delete, on the leader");
      for (KeyValue item : items) {
        int i = Integer.parseInt(item.getKey().substring("item-".length()));
        assertEquals("v" + i, item.getValue().toStringUtf8());
        assertEquals(done.getResults(i).getVersion(), item.getVersion(), "the version the reply gave op " + i);
      }
      assertEquals(done.getResults(20).getVersion(), done.getRevision(), "the batch's revision is its last write's");
      Map<Integer, ShardDigest> after = Convergence.await(cluster, CONVERGE);
      assertTrue(!after.equals(before), "the good batch changed the shards, and the followers followed");
    }
  }

  private static List<String> keys(TestCluster cluster) {
    return cluster.client().list("").map(KeyValue::getKey).toList();
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
