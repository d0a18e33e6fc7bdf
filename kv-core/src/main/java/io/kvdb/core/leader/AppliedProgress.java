package io.kvdb.core.leader;

/**
 * Told by {@link Membership}, under its lock on the control thread, of each live shard whose
 * applied seq a follower's ack advanced: it must be quick.
 */
@FunctionalInterface
public interface AppliedProgress {
  AppliedProgress NONE = (followerId, shard, appliedSeq, ackArrivedMs) -> {};

  /** {@code followerId}'s ack, which arrived at {@code ackArrivedMs}, says it applied {@code shard} up to {@code appliedSeq}. */
  void advanced(String followerId, int shard, long appliedSeq, long ackArrivedMs);
}
