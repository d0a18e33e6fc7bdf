package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads from a follower while the leader is down, with real processes: the follower keeps serving
 * its complete copies to reads that allow stale answers (and to nobody else), with the applied seq
 * of the copy, and does so again after a restart with no leader to talk to.
 */
@Timeout(300)
class StaleFollowerReadsIT {
  private static final int SHARDS = 8;
  private static final Duration LOSS_NOTICED = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aFollowerServesStaleReadsWhileTheLeaderIsDownAndAfterItsOwnRestart() {
    try (TestCluster cluster = new TestCluster(dir, "--shards", Integer.toString(SHARDS))) {
      cluster.startLeader();
      TestCluster.Follower f1 = cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      cluster.await("f1 holds every shard live", TestCluster.START_TIMEOUT,
          () -> f1.status().getState().equals("live") && f1.status().getShardsCount() == SHARDS);

      // Key -> (shard, value); every write acknowledged by the follower before the next.
      Map<String, String> values = new TreeMap<>();
      Map<String, Integer> shardOf = new TreeMap<>();
      for (int i = 0; i < 40; i++) {
        put(cluster, "k" + i, "v" + i, values, shardOf);
      }
      put(cluster, "k3", "v3-again", values, shardOf);
      WriteResponse last = put(cluster, "last", "the last value", values, shardOf);

      cluster.leader().kill();

      cluster.await("f1 noticed the leader is gone", LOSS_NOTICED, () -> getStale(f1, "last").getStale());
      assertLastValueServedStale(f1, last);
      StatusRuntimeException notStale = assertThrows(StatusRuntimeException.class,
          () -> f1.stub().get(GetRequest.newBuilder().setKey("last").build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, notStale.getStatus().getCode(), String.valueOf(notStale.getStatus()));

      f1.process.terminate(Duration.ofSeconds(20));
      f1.start(); // no leader to talk to
      cluster.await("the restarted f1 answers stale reads", LOSS_NOTICED, () -> getStale(f1, "last") != null);
      assertLastValueServedStale(f1, last);
      assertEquals("v3-again", getStale(f1, "k3").getValue().toStringUtf8());

      FollowerStatusResponse status = f1.status();
      assertEquals(SHARDS, status.getShardCount());
      assertTrue(status.getReadableShardsList().contains(ShardSeq.newBuilder().setShard(last.getShard())
          .setSeq(last.getSeq()).build()), status.getReadableShardsList().toString());

      int a = last.getShard();
      int b = shardOf.get("k3") != a ? shardOf.get("k3") : (a + 1) % SHARDS;
      List<Integer> asked = List.of(Math.max(a, b), Math.min(a, b));
      ListResponse page = f1.stub().list(ListRequest.newBuilder().addAllShards(asked).setAllowStale(true)
          .setLimit(1000).build());
      List<String> expected = new ArrayList<>();
      shardOf.forEach((key, shard) -> {
        if (asked.contains(shard)) {
          expected.add(key);
        }
      });
      assertEquals(expected, page.getItemsList().stream().map(KeyValue::getKey).toList(), "the shards asked, in key order");
      page.getItemsList().forEach(item -> assertEquals(values.get(item.getKey()), item.getValue().toStringUtf8()));
      assertTrue(page.getStale());
      assertEquals(asked.stream().sorted().toList(), page.getAppliedSeqsList().stream().map(ShardSeq::getShard).toList(),
          "an applied seq per shard listed, in shard order");
    }
  }

  private static WriteResponse put(TestCluster cluster, String key, String value, Map<String, String> values,
      Map<String, Integer> shardOf) {
    WriteResponse written = cluster.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value))
        .setWait(WaitForAcks.newBuilder().setMinAcks(1).setTimeoutMs(10_000)).build());
    assertEquals(1, written.getAcks(), "the follower applied " + key + " before the reply");
    values.put(key, value);
    shardOf.put(key, written.getShard());
    return written;
  }

  private static GetResponse getStale(TestCluster.Follower follower, String key) {
    return follower.stub().get(GetRequest.newBuilder().setKey(key).setAllowStale(true).build());
  }

  private static void assertLastValueServedStale(TestCluster.Follower follower, WriteResponse last) {
    GetResponse got = getStale(follower, "last");
    assertEquals("the last value", got.getValue().toStringUtf8());
    assertTrue(got.getStale());
    assertEquals(last.getSeq(), got.getAppliedSeq(), "the copy is at the last write's seq");
    assertEquals(last.getShard(), got.getShard());
  }
}
