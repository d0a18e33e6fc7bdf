package io.kvdb.core.leader;

import io.kvdb.core.request.Reads;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.core.leader.Replicas;
import io.kvdb.core.storage.ShardState;
import java.util.List;
import java.util.function.IntFunction;

/** The leader's Cluster API: identity, shards and followers. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final WritePipeline pipeline;
  private final Replicas replicas;
  private final boolean durable;

  public ClusterService(WritePipeline pipeline, Replicas replicas, boolean durable) {
    this.pipeline = pipeline;
    this.replicas = replicas;
    this.durable = durable;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    StatusResponse.Builder status = StatusResponse.newBuilder()
        .setLeaderId(pipeline.leaderId())
        .setEpoch(pipeline.epoch())
        .setShards(pipeline.shards())
        .setReplicationFactor(replicas.replicationFactor())
        .setAssignmentVersion(replicas.assignmentVersion())
        .setDurable(durable);
    long keys = 0;
    long seqs = 0;
    for (int shard = 0; shard < pipeline.shards(); shard++) {
      ShardState head = pipeline.head(shard);
      keys += head.keys();
      seqs += head.seq();
      if (replicas.holdersOf(shard).isEmpty()) {
        status.addUnplacedShards(shard);
      }
    }
    List<FollowerInfo> followers = replicas.followers();
    response.onNext(status.setKeys(keys).setHeadSeqTotal(seqs).addAllFollowers(followers).build());
    response.onCompleted();
  }

  @Override
  public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
    try {
      response.onNext(Reads.digests(request, pipeline.shards(), pipeline::head));
      response.onCompleted();
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** The digests of the asked shards (all when none are asked); shared with the follower. */
}
