package io.kvdb.core.leader;

import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.LagSummary;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Ack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
  private final ReplicationLag lag;

  /**
   * {@code pipeline} gives the shards' heads; {@code clockMs} is the leader's monotonic clock;
   * {@code lag} times the acks.
   */
  public LeaderReplicas(Membership membership, WritePipeline pipeline, LongSupplier clockMs, ReplicationLag lag) {
    this.membership = membership;
    this.pipeline = pipeline;
    this.heads = pipeline::head;
    this.clockMs = clockMs;
    this.lag = lag;
  }

  /** With the replication lag kept off any /metrics, and timed from the backlog alone. */
  public LeaderReplicas(Membership membership, WritePipeline pipeline, LongSupplier clockMs) {
    this(membership, pipeline, clockMs, new ReplicationLag(pipeline, new RecentCommits(pipeline.shards()),
        new SimpleMeterRegistry(), clockMs));
  }

  /** Records a follower's ack and wakes the writes it satisfies; false for an unknown follower. */
  public boolean onAck(Ack ack) {
    return membership.ack(ack, clockMs.getAsLong(), lag);
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
    return report(pipeline.shards()).followers();
  }

  @Override
  public FollowerReport report(int shards) {
    long now = clockMs.getAsLong();
    CommitTimes commitTimes = pipeline.commitTimes();
    UnderReplication caughtUp = new UnderReplication(shards);
    List<FollowerInfo> followers = membership.progress(now, heads).stream()
        .map(progress -> progress.info(now, commitTimes, caughtUp)).toList();
    return new FollowerReport(followers, caughtUp.below(membership.replicationFactor()));
  }

  @Override
  public CompletableFuture<DrainResponse> drain(String id) {
    return membership.drain(id);
  }

  @Override
  public boolean undrain(String id) {
    return membership.undrain(id);
  }

  @Override
  public LagSummary replicationLag() {
    return lag.summary();
  }

  @Override
  public long assignmentVersion() {
    return membership.version();
  }
}
