package io.kvdb.core.follower;

import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.ControlMessage;
import java.util.Collection;

/**
 * When the follower acks, and what an ack says. An ack goes out soon after something was applied
 * (writes that wait for acks wait for it) and otherwise once a heartbeat interval (the leader
 * tracks lag and liveness by it); it carries the assignment version it answers, the position of
 * every assigned shard, and the shards not live yet. Not thread-safe: the sync's thread owns it.
 */
final class Acks {
  /** After something was applied, an ack goes out within this long. */
  private static final long AFTER_PROGRESS_MS = 2;

  private final String followerId;
  private long lastAckMs;
  private boolean progressSinceAck;

  Acks(String followerId) {
    this.followerId = followerId;
  }

  /** Something was applied: an ack goes out soon. */
  void progressed() {
    progressSinceAck = true;
  }

  /** Whether an ack is due at {@code nowMs}, with the leader's heartbeat every {@code heartbeatMs}. */
  boolean due(long nowMs, long heartbeatMs) {
    return (progressSinceAck && nowMs - lastAckMs >= AFTER_PROGRESS_MS) || nowMs - lastAckMs >= heartbeatMs;
  }

  /** How long until an ack is due, from {@code nowMs} (0: due now). */
  long msUntilDue(long nowMs, long heartbeatMs) {
    long dueAtMs = lastAckMs + (progressSinceAck ? AFTER_PROGRESS_MS : heartbeatMs);
    return Math.max(0, dueAtMs - nowMs);
  }

  /** The ack to send at {@code nowMs}, for assignment {@code version} and the shards of {@code syncs}. */
  ControlMessage ack(long nowMs, long version, ReplicaStore replica, Collection<ShardSync> syncs) {
    Ack.Builder ack = Ack.newBuilder().setFollowerId(followerId).setAssignmentVersion(version);
    for (ShardSync sync : syncs) {
      ack.addPositions(SyncContext.position(replica, sync.shard()));
      if (!sync.isLive()) {
        ack.addSyncingShards(sync.shard());
      }
    }
    lastAckMs = nowMs;
    progressSinceAck = false;
    return ControlMessage.newBuilder().setAck(ack).build();
  }
}
