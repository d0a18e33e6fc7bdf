package io.kvdb.core.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.ShardProgress;
import io.kvdb.core.sharding.Placement;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.FollowerRecord;
import io.kvdb.replication.v1.ShardPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's followers and the placement of shards on them: rendezvous hashing over the live
 * followers, top R per shard, versioned and kept in the data dir.
 *
 * <p>Re-placement is make-before-break: a follower keeps a shard it no longer wins until every new
 * holder of that shard has caught up, so a shard is never left with fewer copies than before.
 * After a leader restart nothing is re-placed until the followers had one dead timeout to return.
 *
 * <p>Called by the control thread (hello, ack, tick) and read by gRPC threads: one lock guards it.
 */
public final class Membership {
  private static final Logger log = LoggerFactory.getLogger(Membership.class);
  private static final String VERSION_META = "assignment_version";

  private final KvStore store;
  private final int shards;
  private final int replicationFactor;
  private final long deadTimeoutMs;
  private final long graceUntilMs;
  private final Map<String, Member> members = new TreeMap<>();
  private long version;
  private long lastTickMs;

  /** One follower as the leader knows it. */
  private static final class Member {
    final String id;
    String address;
    boolean alive;
    long lastSeenMs;
    Set<Integer> assigned = new TreeSet<>();
    long assignedVersion;
    long ackedVersion = -1;
    final Map<Integer, Long> applied = new HashMap<>();
    Set<Integer> syncing = new HashSet<>();
    /** Leader clock when each shard was last seen caught up with the head. */
    final Map<Integer, Long> caughtUpAtMs = new HashMap<>();

    Member(String id) {
      this.id = id;
    }

    boolean ready(int shard) {
      return assigned.contains(shard) && ackedVersion >= assignedVersion && !syncing.contains(shard)
          && applied.containsKey(shard);
    }
  }

  public Membership(KvStore store, int shards, int replicationFactor, long deadTimeoutMs, long nowMs) {
    this.store = store;
    this.shards = shards;
    this.replicationFactor = replicationFactor;
    this.deadTimeoutMs = deadTimeoutMs;
    this.version = store.metaLong(VERSION_META, 0);
    this.lastTickMs = nowMs;
    store.forEachFollowerRecord(bytes -> {
      try {
        FollowerRecord record = FollowerRecord.parseFrom(bytes);
        Member member = new Member(record.getId());
        member.address = record.getAddress();
        member.assigned.addAll(record.getAssignedList());
        member.assignedVersion = record.getAssignedVersion();
        member.lastSeenMs = nowMs;
        members.put(member.id, member);
      } catch (InvalidProtocolBufferException e) {
        log.error("skipping an unreadable follower record in the data dir: {}", e.getMessage());
      }
    });
    this.graceUntilMs = members.isEmpty() ? nowMs : nowMs + deadTimeoutMs;
    if (!members.isEmpty()) {
      log.info("{} known follower(s); waiting {} ms for them to return before re-placing shards",
          members.size(), deadTimeoutMs);
    }
  }

  /** A follower said hello: it is alive. Returns its current assignment (possibly empty). */
  public synchronized Assignment hello(String id, String address, List<ShardPosition> positions, long nowMs) {
    Member member = members.computeIfAbsent(id, Member::new);
    boolean returning = !member.alive;
    member.address = address;
    member.alive = true;
    member.lastSeenMs = nowMs;
    member.ackedVersion = -1;
    member.applied.clear();
    positions.forEach(p -> member.applied.put(p.getShard(), p.getAppliedSeq()));
    member.syncing = new HashSet<>(member.assigned);
    if (returning) {
      log.info("follower {} at {} is alive ({} shards held before)", id, address, member.assigned.size());
    }
    return assignmentOf(member);
  }

  /**
   * Records an ack. Acks from an older assignment version than the follower's current one are
   * ignored. Returns false when the follower is unknown (it must say hello first).
   */
  public synchronized boolean ack(Ack ack, long nowMs, IntFunction<ShardState> heads, AckWaiters waiters) {
    Member member = members.get(ack.getFollowerId());
    if (member == null) {
      return false;
    }
    member.lastSeenMs = nowMs;
    if (!member.alive) {
      log.info("follower {} is alive again", member.id);
      member.alive = true;
    }
    if (ack.getAssignmentVersion() < member.assignedVersion) {
      return true;
    }
    member.ackedVersion = ack.getAssignmentVersion();
    member.syncing = new HashSet<>(ack.getSyncingShardsList());
    for (ShardPosition position : ack.getPositionsList()) {
      int shard = position.getShard();
      if (!member.assigned.contains(shard)) {
        continue;
      }
      member.applied.put(shard, position.getAppliedSeq());
      if (position.getAppliedSeq() >= heads.apply(shard).seq()) {
        member.caughtUpAtMs.put(shard, nowMs);
      }
      if (!member.syncing.contains(shard) && waiters != null) {
        waiters.onApplied(member.id, shard, position.getAppliedSeq());
      }
    }
    return true;
  }

  /**
   * Declares silent followers dead and re-places shards. Returns the followers whose assignment
   * changed, with their new assignment, to be sent to them.
   */
  public synchronized Map<String, Assignment> tick(long nowMs) {
    long sinceLastTick = nowMs - lastTickMs;
    lastTickMs = nowMs;
    if (sinceLastTick > deadTimeoutMs / 2) {
      // The leader itself stalled (GC, SIGSTOP): everyone would look dead. Give them a new chance.
      log.warn("leader was stalled for {} ms; not declaring followers dead this time", sinceLastTick);
      members.values().forEach(m -> m.lastSeenMs = nowMs);
    }
    for (Member member : members.values()) {
      if (member.alive && nowMs - member.lastSeenMs > deadTimeoutMs) {
        member.alive = false;
        log.warn("follower {} silent for {} ms: declared dead; its {} shards go to the live followers",
            member.id, nowMs - member.lastSeenMs, member.assigned.size());
      }
    }
    if (nowMs < graceUntilMs) {
      return Map.of();
    }
    List<String> live = members.values().stream().filter(m -> m.alive).map(m -> m.id).toList();
    Map<Integer, List<String>> desired = Placement.place(shards, live, replicationFactor);
    Map<String, Assignment> changed = new TreeMap<>();
    for (Member member : members.values()) {
      if (!member.alive) {
        continue;
      }
      Set<Integer> next = new TreeSet<>();
      for (int shard = 0; shard < shards; shard++) {
        List<String> holders = desired.get(shard);
        if (holders.contains(member.id) || (member.assigned.contains(shard) && !allReady(holders, shard))) {
          next.add(shard);
        }
      }
      if (!next.equals(member.assigned)) {
        Set<Integer> gained = new TreeSet<>(next);
        gained.removeAll(member.assigned);
        Set<Integer> dropped = new TreeSet<>(member.assigned);
        dropped.removeAll(next);
        member.assigned = next;
        member.assignedVersion = ++version;
        member.syncing.addAll(gained);
        log.info("placement v{}: follower {} now holds {} shards (+{} {}, -{} {})", version, member.id,
            next.size(), gained.size(), gained, dropped.size(), dropped);
        changed.put(member.id, assignmentOf(member));
      }
    }
    if (!changed.isEmpty()) {
      persist();
    }
    return changed;
  }

  private boolean allReady(List<String> holders, int shard) {
    for (String id : holders) {
      Member holder = members.get(id);
      if (holder == null || !holder.ready(shard)) {
        return false;
      }
    }
    return true;
  }

  private static Assignment assignmentOf(Member member) {
    return Assignment.newBuilder().setVersion(member.assignedVersion).addAllShards(member.assigned).build();
  }

  private void persist() {
    try (StoreBatch batch = store.newBatch()) {
      for (Member member : members.values()) {
        batch.putFollowerRecord(member.id, FollowerRecord.newBuilder()
            .setId(member.id).setAddress(member.address == null ? "" : member.address)
            .addAllAssigned(member.assigned).setAssignedVersion(member.assignedVersion)
            .build().toByteArray());
      }
      batch.putMeta(VERSION_META, java.nio.ByteBuffer.allocate(8).putLong(version).array());
      store.write(batch);
    }
  }

  /** Live followers the shard is placed on now (incoming ones included). */
  public synchronized List<String> holdersOf(int shard) {
    List<String> holders = new ArrayList<>();
    for (Member member : members.values()) {
      if (member.alive && member.assigned.contains(shard)) {
        holders.add(member.id);
      }
    }
    return holders;
  }

  /**
   * Waits for {@code minAcks} holders of {@code shard} to apply {@code seq}. Registered under this
   * lock, which {@link #ack} also holds, so that no ack slips between the check and the wait.
   */
  synchronized java.util.concurrent.CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks,
      long timeoutMs, AckWaiters waiters) {
    Set<String> already = new HashSet<>();
    for (Member member : members.values()) {
      if (member.alive && member.ready(shard) && member.applied.getOrDefault(shard, 0L) >= seq) {
        already.add(member.id);
      }
    }
    return waiters.await(shard, seq, minAcks, timeoutMs, already);
  }

  /**
   * Whether {@code shard} is assigned to follower {@code id}, or being moved to it (a shard it is
   * to take is assigned before it is ready): what it may fetch with catch-up and snapshot requests.
   */
  public synchronized boolean isAssigned(String id, int shard) {
    Member member = members.get(id);
    return member != null && member.assigned.contains(shard);
  }

  public synchronized long version() {
    return version;
  }

  /** Whether the follower is known and was not declared dead. */
  public synchronized boolean isAlive(String id) {
    Member member = members.get(id);
    return member != null && member.alive;
  }

  /** Every follower's progress, for Cluster.Status. */
  public synchronized List<FollowerInfo> describe(long nowMs, IntFunction<ShardState> heads) {
    List<FollowerInfo> infos = new ArrayList<>();
    for (Member member : members.values()) {
      FollowerInfo.Builder info = FollowerInfo.newBuilder()
          .setId(member.id).setAddress(member.address == null ? "" : member.address).setAlive(member.alive)
          .addAllShards(member.assigned).setLastSeenMsAgo(Math.max(0, nowMs - member.lastSeenMs));
      long appliedTotal = 0;
      long lagEvents = 0;
      long lagMs = 0;
      for (int shard : member.assigned) {
        long applied = member.applied.getOrDefault(shard, 0L);
        long head = heads.apply(shard).seq();
        appliedTotal += applied;
        if (applied < head) {
          lagEvents += head - applied;
          lagMs = Math.max(lagMs, nowMs - member.caughtUpAtMs.getOrDefault(shard, member.lastSeenMs));
        }
        if (!member.ready(shard)) {
          info.addIncomingShards(shard);
        }
        info.addProgress(ShardProgress.newBuilder().setShard(shard).setAppliedSeq(applied).setHeadSeq(head));
      }
      infos.add(info.setAppliedTotal(appliedTotal).setLagEvents(lagEvents).setLagMs(Math.max(0, lagMs)).build());
    }
    return infos;
  }
}
