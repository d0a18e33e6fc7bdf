package io.kvdb.core.watch;

import io.kvdb.replication.v1.Event;
import io.kvdb.core.storage.KvStore;
import com.google.protobuf.InvalidProtocolBufferException;

/** The revision a leader run's watch history starts at, read from its replication backlog. */
public final class WatchFloor {
  private WatchFloor() {}

  /**
   * The highest revision in the shards' backlogs (the last write of the previous run), or
   * {@link WatchHub#UNKNOWN} when a shard with writes has no readable backlog entry at its head (a
   * migrated, restored or rebuilt data dir): then no revision from before this run can resume.
   */
  public static long of(KvStore store, int shards) {
    long floor = 0;
    for (int shard = 0; shard < shards; shard++) {
      long head = store.shardState(shard).seq();
      if (head == 0) {
        continue;
      }
      long[] revision = {-1};
      store.forEachLog(shard, head, (seq, bytes) -> {
        try {
          revision[0] = seq == head ? Event.parseFrom(bytes).getRevision() : -1;
        } catch (InvalidProtocolBufferException e) {
          revision[0] = -1;
        }
        return false;
      });
      if (revision[0] <= 0) {
        return WatchHub.UNKNOWN;
      }
      floor = Math.max(floor, revision[0]);
    }
    return floor;
  }
}
