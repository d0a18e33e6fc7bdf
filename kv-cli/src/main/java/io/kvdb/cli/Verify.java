package io.kvdb.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code kv verify}: asks each live follower for the digests of the shards placed on it and
 * compares them with the leader's. A shard still behind (lower seq) is reported as lagging, not as
 * a mismatch; the same seq with another digest or key count is a mismatch (exit 1).
 */
final class Verify {
  private final ManagedChannel leader;
  private final PrintStream out;
  private final PrintStream err;

  Verify(ManagedChannel leader, PrintStream out, PrintStream err) {
    this.leader = leader;
    this.out = out;
    this.err = err;
  }

  int run() {
    ClusterGrpc.ClusterBlockingStub cluster = ClusterGrpc.newBlockingStub(leader).withDeadlineAfter(10, TimeUnit.SECONDS);
    StatusResponse status = cluster.status(StatusRequest.getDefaultInstance());
    Map<Integer, ShardDigest> leaderDigests = new HashMap<>();
    ClusterGrpc.newBlockingStub(leader).withDeadlineAfter(10, TimeUnit.SECONDS)
        .shardDigests(ShardDigestsRequest.getDefaultInstance()).getDigestsList()
        .forEach(d -> leaderDigests.put(d.getShard(), d));
    int matching = 0;
    int lagging = 0;
    int mismatched = 0;
    int unreachable = 0;
    for (FollowerInfo follower : status.getFollowersList()) {
      if (!follower.getAlive()) {
        out.printf("%s: dead, skipped%n", follower.getId());
        continue;
      }
      Map<Integer, ShardDigest> own;
      try {
        own = followerDigests(follower);
      } catch (StatusRuntimeException e) {
        err.printf("%s at %s: unreachable (%s)%n", follower.getId(), follower.getAddress(), e.getStatus().getCode());
        unreachable++;
        continue;
      }
      for (int shard : follower.getShardsList()) {
        ShardDigest mine = own.get(shard);
        ShardDigest theirs = leaderDigests.get(shard);
        if (mine == null || mine.getSeq() < theirs.getSeq()) {
          lagging++;
        } else if (mine.equals(theirs)) {
          matching++;
        } else {
          mismatched++;
          out.printf("%s shard %d: seq %d keys %d digest %d, leader: seq %d keys %d digest %d%n", follower.getId(),
              shard, mine.getSeq(), mine.getKeys(), mine.getDigest(), theirs.getSeq(), theirs.getKeys(),
              theirs.getDigest());
        }
      }
    }
    out.printf("%d shard copies match the leader, %d lagging (retry), %d differ, %d follower(s) unreachable%n",
        matching, lagging, mismatched, unreachable);
    return mismatched > 0 ? 1 : 0;
  }

  private static Map<Integer, ShardDigest> followerDigests(FollowerInfo follower) {
    String address = follower.getAddress();
    int colon = address.lastIndexOf(':');
    ManagedChannel channel = NettyChannelBuilder
        .forAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))).usePlaintext().build();
    try {
      Map<Integer, ShardDigest> digests = new HashMap<>();
      FollowerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .shardDigests(ShardDigestsRequest.getDefaultInstance()).getDigestsList()
          .forEach(d -> digests.put(d.getShard(), d));
      return digests;
    } finally {
      channel.shutdownNow();
    }
  }
}
