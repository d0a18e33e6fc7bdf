package io.kvdb.leader;

import static io.kvdb.leader.KvApiTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.StoredValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cluster.Status, Cluster.ShardDigests and the standard health service. */
@Timeout(60)
class ClusterApiTest {
  @RegisterExtension static final TestLeader leader = TestLeader.inProcess();
  private static final int SHARDS = 8;
  private static final ShardFunction SHARD_OF = new ShardFunction(SHARDS);

  @BeforeAll
  static void write() {
    for (int i = 0; i < 40; i++) {
      leader.kv().put(PutRequest.newBuilder().setKey("k" + i).setValue(ByteString.copyFromUtf8("v" + i)).build());
    }
    leader.kv().put(PutRequest.newBuilder().setKey("k0").setValue(ByteString.copyFromUtf8("overwritten")).build());
  }

  @Test
  void statusDescribesTheLeaderAlone() {
    StatusResponse status = leader.cluster().status(StatusRequest.getDefaultInstance());
    assertEquals(leader.server().metadata().leaderId(), status.getLeaderId());
    assertEquals(leader.server().metadata().epoch(), status.getEpoch());
    assertEquals(SHARDS, status.getShards());
    assertEquals(1, status.getReplicationFactor());
    assertTrue(status.getDurable());
    assertEquals(40, status.getKeys());
    assertEquals(41, status.getHeadSeqTotal());
    assertEquals(0, status.getFollowersCount());
    assertEquals(IntStream.range(0, SHARDS).boxed().toList(), status.getUnplacedShardsList(),
        "with no follower every shard's only copy is the leader's");
  }

  @Test
  void digestsOfAllShardsComeInShardOrderAndMatchTheData() {
    List<ShardDigest> digests = leader.cluster().shardDigests(ShardDigestsRequest.getDefaultInstance()).getDigestsList();
    assertEquals(IntStream.range(0, SHARDS).boxed().toList(), digests.stream().map(ShardDigest::getShard).toList());
    long[] expected = new long[SHARDS];
    long[] keys = new long[SHARDS];
    for (KeyValue pair : leader.kv().list(ListRequest.newBuilder().setLimit(1000).build()).getItemsList()) {
      int shard = SHARD_OF.shardOf(pair.getKey());
      // The digest covers versions (and expiry times: none here), so the listed versions must be the stored ones.
      expected[shard] += Digest.of(pair.getKey().getBytes(StandardCharsets.UTF_8),
          new StoredValue(pair.getValue().toByteArray(), pair.getVersion(), 0));
      keys[shard]++;
    }
    long seqs = 0;
    for (ShardDigest digest : digests) {
      assertEquals(expected[digest.getShard()], digest.getDigest(), "shard " + digest.getShard());
      assertEquals(keys[digest.getShard()], digest.getKeys(), "shard " + digest.getShard());
      seqs += digest.getSeq();
    }
    assertEquals(41, seqs);
  }

  @Test
  void digestsOfChosenShards() {
    List<ShardDigest> digests = leader.cluster().shardDigests(
        ShardDigestsRequest.newBuilder().addShards(5).addShards(2).build()).getDigestsList();
    assertEquals(List.of(2, 5), digests.stream().map(ShardDigest::getShard).toList());
  }

  @Test
  void outOfRangeShardIsInvalidArgument() {
    StatusRuntimeException e = assertCode(Code.INVALID_ARGUMENT,
        () -> leader.cluster().shardDigests(ShardDigestsRequest.newBuilder().addShards(1).addShards(SHARDS).build()));
    assertEquals("shard 8 does not exist; shards are 0..7", e.getStatus().getDescription());
    StatusRuntimeException huge = assertCode(Code.INVALID_ARGUMENT,
        () -> leader.cluster().shardDigests(ShardDigestsRequest.newBuilder().addShards(-1).build()));
    assertEquals("shard 4294967295 does not exist; shards are 0..7", huge.getStatus().getDescription());
  }

  @Test
  void healthServiceSaysServingForTheServerAndEachService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(leader.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    for (String service : List.of("", "kv.v1.KV", "kv.v1.Cluster")) {
      assertEquals(ServingStatus.SERVING,
          health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(), "'" + service + "'");
    }
    assertCode(Code.NOT_FOUND, () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
  }
}
