package io.kvdb.core.leader;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Ack;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * {@link Replicas} of a leader with followers: placement and acks come from {@link Membership}.
 * Holders and waits for acks take no Membership lock, so the writer thread never waits for the
 * control thread.
 */
public final class LeaderReplicas implements Replicas {
  private final Membership membership;
  private final WritePipeline pipeline;
  private final IntFunction<ShardState> heads;
  private final LongSupplier clockMs;

  /** {@code pipeline} gives the shards' heads; {@code clockMs} is the leader's monotonic clock. */
  public LeaderReplicas(Membership membership, WritePipeline pipeline, LongSupplier clockMs) {
    this.membership = membership;
    this.pipeline = pipeline;
    this.heads = pipeline::head;
    this.clockMs = clockMs;
  }

  /** Records a follower's ack and wakes the writes it satisfies; false for an unknown follower. */
  public boolean onAck(Ack ack) {
    return membership.ack(ack, clockMs.getAsLong());
  }

  @Override
  public List<String> holdersOf(int shard) {
    return membership.holdersOf(shard);
  }

  @Override
  public int replicationFactor() {
    return membership.replicationFactor();
  }

  @Override
  public CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
    return membership.awaitAcks(shard, seq, minAcks, timeoutMs);
  }

  @Override
  public List<FollowerInfo> followers() {
    long now = clockMs.getAsLong();
    CommitTimes commitTimes = pipeline.commitTimes();
    return membership.progress(now, heads).stream().map(progress -> progress.info(now, commitTimes)).toList();
  }

  @Override
  public long assignmentVersion() {
    return membership.version();
  }
}
