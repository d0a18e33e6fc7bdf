package io.kvdb.core.follower;

import io.kvdb.core.storage.DiskSpace;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.core.storage.ShardState;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What every {@link ShardSync} shares: the replica it writes to and the follower-wide state it
 * reports to. Made once the replica is known (at the first welcome).
 *
 * @param sessionOpen whether the leader has welcomed this follower in its current run
 * @param publishView republishes the read view after a shard's state changed
 * @param progressed notes that something was applied, so that an ack goes out soon
 * @param refusedByLeader the leader refused a request (with this reason) because it does not know
 *     this follower's session: the session starts over with a hello
 */
record SyncContext(ReplicaStore replica, DiskSpace disk, int catchUpBatch, LongSupplier clockMs, Outbox outbox,
    BooleanSupplier sessionOpen, Runnable publishView, Runnable progressed, Consumer<String> refusedByLeader) {

  long now() {
    return clockMs.getAsLong();
  }

  void send(ControlMessage message) {
    outbox.send(message);
  }

  /**
   * Whether the data dir's disk can take about {@code bytes} more (see --min-free-disk). LevelDB
   * on a full disk fails its writes or, through its memory-mapped files, kills the process; so
   * below the reserve nothing is written, and DiskSpace logs when that starts and ends.
   */
  boolean roomFor(long bytes) {
    try {
      disk.checkRoom(bytes);
      return true;
    } catch (DiskSpace.FullException e) {
      return false;
    }
  }

  /** Where this replica stands in {@code shard}, as hello, catch-up requests and acks carry it. */
  static ShardPosition position(ReplicaStore replica, int shard) {
    ShardState state = replica.state(shard);
    return ShardPosition.newBuilder().setShard(shard).setAppliedSeq(state.seq()).setAppliedEpoch(state.seqEpoch())
        .build();
  }
}
