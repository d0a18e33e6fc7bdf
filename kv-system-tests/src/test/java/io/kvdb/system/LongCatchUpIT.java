package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.BatchOp;
import io.kvdb.api.v1.BatchPut;
import io.kvdb.api.v1.BatchRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh follower whose catch-up lasts longer than the leader's dead timeout: it keeps acking
 * while its shards' snapshot chunks stream in, so the leader never declares it dead. (Its loop once
 * handled every queued control message before its timer, and each chunk is answered by the next
 * request, so no ack went out until the whole catch-up was over.)
 */
@Timeout(300)
class LongCatchUpIT {
  private static final int KEYS = 200_000;
  private static final int BATCH = 128;

  @TempDir Path dir;

  @Test
  void aFollowerCatchingUpForLongerThanTheDeadTimeoutIsNeverDeclaredDead() {
    // 1 s: ten of the follower's idle acks (one per 100-ms heartbeat), and a fraction of the catch-up.
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8", "--dead-timeout-ms", "1000")) {
      cluster.startLeader();
      store(cluster, KEYS);
      long started = System.nanoTime();
      TestCluster.Follower follower = cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      Convergence.await(cluster, Duration.ofSeconds(120));
      System.out.printf("a fresh follower took %,d keys in %d ms%n", KEYS, (System.nanoTime() - started) / 1_000_000);

      // First: a dead follower holds no shards, so the cluster converges at once without it.
      assertFalse(cluster.leader().log().contains("declared dead"), "f1 stayed alive:\n" + cluster.leader().log());
      assertTrue(follower.log().contains("snapshot installed"), "f1 caught up by snapshot:\n" + follower.log());
    }
  }

  /** Stores {@code keys} keys of 100 random bytes, in batches. */
  private static void store(TestCluster cluster, int keys) {
    Random random = new Random(7);
    byte[] value = new byte[100];
    for (int first = 0; first < keys; first += BATCH) {
      BatchRequest.Builder batch = BatchRequest.newBuilder();
      for (int i = first; i < Math.min(keys, first + BATCH); i++) {
        random.nextBytes(value);
        batch.addOps(BatchOp.newBuilder().setPut(BatchPut.newBuilder().setKey("key-" + i).setValue(ByteString.copyFrom(value))));
      }
      cluster.kv().batch(batch.build());
    }
  }
}
