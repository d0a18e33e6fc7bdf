package io.kvdb.core.leader;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardProgress;
import io.kvdb.core.storage.ShardState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One follower's progress for Cluster.Status. Taken under Membership's lock from what the follower
 * acked; its lag in ms is then read from the backlog outside that lock, so that a status call
 * never holds up the control thread with reads of the data dir.
 */
final class FollowerProgress {
  private final FollowerInfo.Builder info;
  /** The shards it is behind in, each with the seq it applied there and whether it holds it ready. */
  private final List<Behind> behind;
  /** The shards it holds ready (see {@link UnderReplication}) and applied up to the head, while alive. */
  private final List<Integer> readyAtHead;

  private record Behind(int shard, long applied, boolean ready) {}

  private FollowerProgress(FollowerInfo.Builder info, List<Behind> behind, List<Integer> readyAtHead) {
    this.info = info;
    this.behind = behind;
    this.readyAtHead = readyAtHead;
  }

  /** Called under Membership's lock. */
  static FollowerProgress of(Member member, long nowMs, IntFunction<ShardState> heads) {
    FollowerInfo.Builder info = FollowerInfo.newBuilder()
        .setId(member.id).setAddress(member.address == null ? "" : member.address).setAlive(member.alive)
        .addAllShards(member.assigned).setLastSeenMsAgo(Math.max(0, nowMs - member.lastSeenMs))
        .setDrained(member.drained);
    List<Behind> behind = new ArrayList<>();
    List<Integer> readyAtHead = new ArrayList<>();
    long appliedTotal = 0;
    long lagEvents = 0;
    for (int shard : member.assigned) {
      long applied = member.applied.getOrDefault(shard, 0L);
      long head = heads.apply(shard).seq();
      appliedTotal += applied;
      boolean ready = member.alive && member.ready(shard);
      if (applied < head) {
        lagEvents += head - applied;
        behind.add(new Behind(shard, applied, ready));
      } else if (ready) {
        readyAtHead.add(shard);
      }
      if (!member.ready(shard)) {
        info.addIncomingShards(shard);
      }
      info.addProgress(ShardProgress.newBuilder().setShard(shard).setAppliedSeq(applied).setHeadSeq(head));
    }
    return new FollowerProgress(info.setAppliedTotal(appliedTotal).setLagEvents(lagEvents), behind, readyAtHead);
  }

  /**
   * With {@code lag_ms} as cluster.proto defines it: how long ago its oldest un-applied write was
   * committed (the first seq after its applied one, in the shard where that is oldest); 0 when it
   * is caught up everywhere. Counts in {@code caughtUp} the shards it holds caught up.
   */
  FollowerInfo info(long nowMs, CommitTimes commitTimes, UnderReplication caughtUp) {
    readyAtHead.forEach(caughtUp::caughtUp);
    long lagMs = 0;
    for (Behind shard : behind) {
      long shardLagMs = nowMs - commitTimes.committedAtMs(shard.shard(), shard.applied() + 1);
      lagMs = Math.max(lagMs, shardLagMs);
      if (shard.ready() && UnderReplication.withinAckWindow(shardLagMs)) {
        caughtUp.caughtUp(shard.shard());
      }
    }
    return info.setLagMs(lagMs).build();
  }
}
