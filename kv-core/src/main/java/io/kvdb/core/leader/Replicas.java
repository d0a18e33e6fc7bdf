package io.kvdb.core.leader;

import io.grpc.Status;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.LagSummary;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * What the leader's services need to know of followers: who holds a shard, who has applied a write,
 * and how each follower is doing.
 */
public interface Replicas {
  /** Ids of the followers the shard is placed on now. */
  List<String> holdersOf(int shard);

  /** How many followers each shard is placed on (R). */
  int replicationFactor();

  /**
   * Completes with the number of distinct current holders of {@code shard} that have applied
   * {@code seq}, as soon as that reaches {@code minAcks} or when {@code timeoutMs} has passed.
   */
  CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs);

  /** Every known follower with its progress, for Cluster.Status. */
  default List<FollowerInfo> followers() {
    return List.of();
  }

  /**
   * Every known follower with its progress and the shards fewer than R of them hold caught up, from
   * one look at them, for Cluster.Status. By default every holder counts as caught up.
   */
  default FollowerReport report(int shards) {
    return new FollowerReport(followers(), IntStream.range(0, shards)
        .filter(shard -> holdersOf(shard).size() < replicationFactor()).boxed().toList());
  }

  /**
   * Drains follower {@code id} (cluster.proto's Cluster.Drain): completes once it holds nothing.
   * By default no follower is known: NOT_FOUND.
   */
  default CompletableFuture<DrainResponse> drain(String id) {
    return CompletableFuture.failedFuture(unknown(id));
  }

  /** Lets drained follower {@code id} take shards again; false when it was not drained. */
  default boolean undrain(String id) {
    throw unknown(id);
  }

  private static RuntimeException unknown(String id) {
    return Status.NOT_FOUND.withDescription("no follower '" + id + "' is known to this leader").asRuntimeException();
  }

  /** The replication lag of the last minute, all followers (cluster.proto's LagSummary). */
  default LagSummary replicationLag() {
    return LagSummary.getDefaultInstance();
  }

  /** The version of the current placement. */
  default long assignmentVersion() {
    return 0;
  }

  /** No followers at all: a leader alone. Waiting for acks answers 0 at once, as none can come. */
  static Replicas none(int replicationFactor) {
    return new Replicas() {
      @Override
      public List<String> holdersOf(int shard) {
        return List.of();
      }

      @Override
      public int replicationFactor() {
        return replicationFactor;
      }

      @Override
      public CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
        return CompletableFuture.completedFuture(0);
      }
    };
  }
}
