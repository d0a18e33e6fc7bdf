package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Leader and followers in one JVM over real sockets and real LevelDB: the quickest replication check. */
@Timeout(120)
class InJvmReplicationTest {
  @TempDir Path dir;

  @Test
  void twoFollowersHoldExactlyTheLeadersShards() throws Exception {
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    FollowerServer f1 = follower("f1", leader);
    FollowerServer f2 = follower("f2", leader);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
      for (int i = 0; i < 2000; i++) {
        kv.put(PutRequest.newBuilder().setKey("key-" + i).setValue(ByteString.copyFromUtf8("v" + i)).build());
      }
      for (int i = 0; i < 2000; i += 7) {
        kv.delete(DeleteRequest.newBuilder().setKey("key-" + i).build());
      }
      ClusterGrpc.ClusterBlockingStub cluster = ClusterGrpc.newBlockingStub(channel);
      Map<Integer, ShardDigest> leaderDigests = new HashMap<>();
      cluster.shardDigests(ShardDigestsRequest.getDefaultInstance()).getDigestsList()
          .forEach(d -> leaderDigests.put(d.getShard(), d));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      boolean converged = false;
      while (!converged && System.nanoTime() < deadline) {
        converged = matches(f1, leaderDigests) && matches(f2, leaderDigests);
        Thread.sleep(100);
      }
      StatusResponse status = cluster.status(StatusRequest.getDefaultInstance());
      System.out.println(status);
      assertTrue(converged, "followers converge to the leader's digests");
      assertEquals(8, f1.statusNow().getShardsCount() + f2.statusNow().getShardsCount());
    } finally {
      channel.shutdownNow();
      f1.stop();
      f2.stop();
      leader.stop();
    }
  }

  @Test
  void aFollowerServesKeysUpToTheLeadersLimitNotTheDefault() throws Exception {
    Limits larger = new Limits(4096, Limits.DEFAULT.maxValueBytes(), Limits.DEFAULT.maxMessageBytes(),
        Limits.DEFAULT.defaultPageSize(), Limits.DEFAULT.maxPageSize());
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")).withLimits(larger),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    FollowerServer follower = follower("f1", leader);
    ManagedChannel toLeader = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    ManagedChannel toFollower = NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort()).usePlaintext().build();
    try {
      String key = "k".repeat(3000); // above the default 1024, within this leader's 4096
      WriteResponse put = KVGrpc.newBlockingStub(toLeader).put(PutRequest.newBuilder().setKey(key)
          .setValue(ByteString.copyFromUtf8("long")).build());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!applied(follower, put) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(applied(follower, put), "the follower applied the write: " + follower.statusNow());

      GetResponse read = FollowerGrpc.newBlockingStub(toFollower).get(GetRequest.newBuilder().setKey(key).build());

      assertEquals("long", read.getValue().toStringUtf8());
    } finally {
      toLeader.shutdownNow();
      toFollower.shutdownNow();
      follower.stop();
      leader.stop();
    }
  }

  /** The follower serves the write's shard and has applied it. */
  private static boolean applied(FollowerServer follower, WriteResponse write) {
    FollowerStatusResponse status = follower.statusNow();
    return status.getState().equals("live") && status.getShardsList().stream()
        .anyMatch(d -> d.getShard() == write.getShard() && d.getSeq() >= write.getSeq());
  }

  private static boolean matches(FollowerServer follower, Map<Integer, ShardDigest> leader) {
    var status = follower.statusNow();
    if (!status.getState().equals("live") || status.getShardsCount() == 0) {
      return false;
    }
    for (ShardDigest digest : status.getShardsList()) {
      if (!digest.equals(leader.get(digest.getShard()))) {
        return false;
      }
    }
    return true;
  }

  private FollowerServer follower(String id, LeaderServer leader) throws Exception {
    FollowerServer follower = new FollowerServer(
        FollowerConfig.forTest(dir.resolve(id), id, leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    return follower;
  }
}
