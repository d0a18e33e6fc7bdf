package io.kvdb.client;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerSnapshotRequest;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.client.Calls.Kind;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** {@link FollowerClient} over a follower's Follower service. */
final class FollowerClientImpl implements FollowerClient {
  private final Calls calls;
  /** The channel this client built and closes; null for a borrowed one. */
  private final ManagedChannel owned;

  private FollowerClientImpl(Calls calls, ManagedChannel owned) {
    this.calls = calls;
    this.owned = owned;
  }

  static FollowerClient owning(ManagedChannel channel, KvOptions options) {
    return new FollowerClientImpl(new Calls(channel, null, options), channel);
  }

  static FollowerClient borrowing(Channel channel, KvOptions options) {
    return new FollowerClientImpl(new Calls(channel, null, options), null);
  }

  @Override
  public FollowerStatusResponse status() {
    return calls.blocking(FollowerGrpc.getStatusMethod(), FollowerStatusRequest.getDefaultInstance(), Kind.READ);
  }

  @Override
  public CompletableFuture<FollowerStatusResponse> statusAsync() {
    return calls.async(FollowerGrpc.getStatusMethod(), FollowerStatusRequest.getDefaultInstance(), Kind.READ);
  }

  @Override
  public List<ShardDigest> shardDigests(int... shards) {
    return calls.blocking(FollowerGrpc.getShardDigestsMethod(), KvClientImpl.digestsRequest(shards), Kind.READ)
        .getDigestsList();
  }

  @Override
  public CompletableFuture<List<ShardDigest>> shardDigestsAsync(int... shards) {
    return calls.async(FollowerGrpc.getShardDigestsMethod(), KvClientImpl.digestsRequest(shards), Kind.READ)
        .thenApply(ShardDigestsResponse::getDigestsList);
  }

  @Override
  public Stream<DumpMessage> snapshot(List<Integer> shards, int chunkBytes) {
    return calls.serverStream(FollowerGrpc.getSnapshotMethod(),
        FollowerSnapshotRequest.newBuilder().addAllShards(shards).setChunkBytes(chunkBytes).build());
  }

  @Override
  public void close() {
    Channels.close(owned);
  }
}
