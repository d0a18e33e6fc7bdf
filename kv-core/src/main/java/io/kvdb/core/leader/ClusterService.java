package io.kvdb.core.leader;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.BackupRequest;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DrainRequest;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.UndrainRequest;
import io.kvdb.api.v1.UndrainResponse;
import io.kvdb.core.request.Reads;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.storage.ShardState;

/** The leader's Cluster API: identity, shards and followers. Failures are answered through {@link Statuses}. */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {
  private final WritePipeline pipeline;
  private final Replicas replicas;
  private final boolean durable;
  /** Null when this leader serves no backups (tests without a data dir of their own). */
  private final Backups backup;

  /** Serves Cluster.Backup (the shard dump: kv-core's {@code io.kvdb.core.dump.LeaderBackup}). */
  @FunctionalInterface
  public interface Backups {
    void serve(BackupRequest request, StreamObserver<DumpMessage> response);
  }

  public ClusterService(WritePipeline pipeline, Replicas replicas, boolean durable) {
    this(pipeline, replicas, durable, null);
  }

  public ClusterService(WritePipeline pipeline, Replicas replicas, boolean durable, Backups backup) {
    this.pipeline = pipeline;
    this.replicas = replicas;
    this.durable = durable;
    this.backup = backup;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    try {
      response.onNext(status());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  private StatusResponse status() {
    StatusResponse.Builder status = StatusResponse.newBuilder()
        .setLeaderId(pipeline.leaderId())
        .setEpoch(pipeline.epoch())
        .setShards(pipeline.shards())
        .setReplicationFactor(replicas.replicationFactor())
        .setAssignmentVersion(replicas.assignmentVersion())
        .setDurable(durable);
    FollowerReport followers = replicas.report(pipeline.shards());
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
    return status.setKeys(keys).setHeadSeqTotal(seqs).addAllFollowers(followers.followers())
        .addAllUnderReplicatedShards(followers.underReplicated()).addAllMissingShards(pipeline.missingShards())
        .setReplicationLag(replicas.replicationLag()).build();
  }

  /** Answers when the drain is done; the wait runs on the control thread, no transport thread blocks. */
  @Override
  public void drain(DrainRequest request, StreamObserver<DrainResponse> response) {
    try {
      replicas.drain(followerId(request.getFollowerId())).whenComplete((reply, error) -> {
        if (error != null) {
          response.onError(Statuses.of(error));
        } else {
          response.onNext(reply);
          response.onCompleted();
        }
      });
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  @Override
  public void undrain(UndrainRequest request, StreamObserver<UndrainResponse> response) {
    try {
      boolean wasDrained = replicas.undrain(followerId(request.getFollowerId()));
      response.onNext(UndrainResponse.newBuilder().setWasDrained(wasDrained).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  private static String followerId(String id) {
    if (id.isEmpty()) {
      throw Status.INVALID_ARGUMENT.withDescription("follower_id is empty").asRuntimeException();
    }
    return id;
  }

  @Override
  public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
    try {
      response.onNext(Reads.digests(request, pipeline.shards(), pipeline::head));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  @Override
  public void backup(BackupRequest request, StreamObserver<DumpMessage> response) {
    if (backup == null) {
      response.onError(Status.UNIMPLEMENTED.withDescription("this leader serves no backups").asRuntimeException());
      return;
    }
    backup.serve(request, response);
  }
}
