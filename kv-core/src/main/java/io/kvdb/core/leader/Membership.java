package io.kvdb.core.leader;

import io.kvdb.api.v1.DrainResponse;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.FollowerRecord;
import io.kvdb.replication.v1.ShardPosition;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
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
 * <p>The control thread changes it (hello, ack, tick) under this object's lock. Rendezvous hashing
 * over every shard runs only when the set of live followers changes; a tick otherwise only drops
 * the shards whose hand-over has finished ({@link Assignments}). Readers on other threads (the writer, gRPC calls) never
 * take the lock: holders come from a {@link PlacementView} published by reference, and waiting for
 * acks goes to {@link AckWaiters}.
 */
public final class Membership {
  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  private final MembershipRecords records;
  private final int shards;
  private final int replicationFactor;
  private final long deadTimeoutMs;
  private final long graceUntilMs;
  private final AckWaiters waiters;
  private final Drains drains = new Drains();
  private final Map<String, Member> members = new TreeMap<>();
  private final Assignments assignments;
  private long lastTickMs;
  private volatile PlacementView view;

  /**
   * Loads the followers kept in {@code store}; changes to them are kept there while {@code disk}
   * has room. {@code ackTimer} ends waits for acks at their deadline; {@code nowMs} is the leader
   * clock at start.
   */
  public Membership(KvStore store, DiskSpace disk, int shards, int replicationFactor, long deadTimeoutMs,
      ScheduledExecutorService ackTimer, long nowMs) {
    this.shards = shards;
    this.replicationFactor = replicationFactor;
    this.deadTimeoutMs = deadTimeoutMs;
    this.waiters = new AckWaiters(ackTimer, shards);
    this.records = new MembershipRecords(store, disk);
    this.assignments = new Assignments(records, waiters, shards, replicationFactor);
    this.lastTickMs = nowMs;
    members.putAll(records.load(nowMs));
    this.graceUntilMs = members.isEmpty() ? nowMs : nowMs + deadTimeoutMs;
    if (!members.isEmpty()) {
      log.info("{} known follower(s); waiting {} ms for them to return before re-placing shards",
          members.size(), deadTimeoutMs);
    }
    this.view = PlacementView.empty(shards, assignments.version());
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
    waiters.forget(id); // nothing of it is ready until it acks its assignment
    if (returning) {
      log.info("follower {} at {} is alive ({} shards held before)", id, address, member.assigned.size());
      assignments.liveSetChanged();
      if (!member.assigned.isEmpty()) {
        publishView();
      }
    }
    return Assignments.of(member);
  }

  /**
   * Records an ack. Acks from an older assignment version than the follower's current one are
   * ignored. Returns false when the follower is unknown (it must say hello first).
   */
  public boolean ack(Ack ack, long nowMs) {
    return ack(ack, nowMs, AppliedProgress.NONE);
  }

  /**
   * {@link #ack(Ack, long)}, telling {@code progress} of each shard the ack advanced that was live
   * on the follower (not syncing) in this ack and the one before.
   */
  public synchronized boolean ack(Ack ack, long nowMs, AppliedProgress progress) {
    Member member = members.get(ack.getFollowerId());
    if (member == null) {
      return false;
    }
    member.lastSeenMs = nowMs;
    if (!member.alive) {
      log.info("follower {} is alive again", member.id);
      member.alive = true;
      assignments.liveSetChanged();
      publishView();
    }
    if (ack.getAssignmentVersion() < member.assignedVersion) {
      return true;
    }
    Set<Integer> wasSyncing = member.syncing;
    member.ackedVersion = ack.getAssignmentVersion();
    member.syncing = new HashSet<>(ack.getSyncingShardsList());
    Map<Integer, Long> counting = new HashMap<>();
    for (ShardPosition position : ack.getPositionsList()) {
      int shard = position.getShard();
      if (!member.assigned.contains(shard)) {
        continue;
      }
      Long before = member.applied.put(shard, position.getAppliedSeq());
      if (!member.syncing.contains(shard)) {
        counting.put(shard, position.getAppliedSeq());
        if (before != null && position.getAppliedSeq() > before && !wasSyncing.contains(shard)) {
          progress.advanced(member.id, shard, position.getAppliedSeq(), nowMs);
        }
      }
    }
    waiters.onAck(member.id, counting);
    return true;
  }

  /**
   * Declares silent followers dead and re-places shards. Returns the followers whose assignment
   * changed, with their new assignment, to be sent to them.
   */
  public synchronized Map<String, Assignment> tick(long nowMs) {
    long sinceLastTick = nowMs - lastTickMs;
    lastTickMs = nowMs;
    drains.settle(members);
    if (sinceLastTick > deadTimeoutMs / 2) {
      // The leader itself stalled (GC, SIGSTOP): everyone would look dead. Give them a new chance.
      log.warn("leader was stalled for {} ms; not declaring followers dead this time", sinceLastTick);
      members.values().forEach(m -> m.lastSeenMs = nowMs);
    }
    boolean died = false;
    for (Member member : members.values()) {
      if (member.alive && nowMs - member.lastSeenMs > deadTimeoutMs) {
        member.alive = false;
        died = true;
        assignments.liveSetChanged();
        waiters.forget(member.id);
        log.warn("follower {} silent for {} ms: declared dead; its {} shards go to the live followers",
            member.id, nowMs - member.lastSeenMs, member.assigned.size());
      }
    }
    if (nowMs < graceUntilMs) {
      if (died) {
        publishView();
      }
      return Map.of();
    }
    Map<String, Assignment> changed = assignments.reassign(members);
    if (died || !changed.isEmpty()) {
      publishView();
    }
    return changed;
  }

  /**
   * Drains follower {@code id} (see {@link Drains}): kept in the data dir at once, placed by the next
   * tick. Completes once it holds nothing; fails as {@link Drains#drainable} says, before anything
   * changes, or with DISK_FULL when the drained state cannot be kept.
   */
  public synchronized CompletableFuture<DrainResponse> drain(String id) {
    Member member = Drains.drainable(members, id, replicationFactor);
    if (!member.drained) {
      Drains.mark(member, true, () -> records.persist(members.values(), assignments.version()));
      assignments.liveSetChanged();
      log.info("draining follower {}: its {} shard(s) go to the other followers", id, member.assigned.size());
    }
    return drains.await(member);
  }

  /** Lets drained follower {@code id} take shards again; false when it was not drained. NOT_FOUND when unknown. */
  public synchronized boolean undrain(String id) {
    Member member = Drains.known(members, id);
    if (!member.drained) {
      return false;
    }
    Drains.mark(member, false, () -> records.persist(members.values(), assignments.version()));
    assignments.liveSetChanged();
    drains.abort(id);
    log.info("follower {} undrained: it takes part in placement again", id);
    return true;
  }

  private void publishView() {
    Map<String, Set<Integer>> live = new TreeMap<>();
    members.values().stream().filter(m -> m.alive).forEach(m -> live.put(m.id, m.assigned));
    view = PlacementView.of(shards, assignments.version(), live);
  }

  /** Live followers the shard is placed on now (incoming ones included). Takes no lock. */
  public List<String> holdersOf(int shard) {
    return view.holdersOf(shard);
  }

  /**
   * Completes with the number of holders of {@code shard} that applied {@code seq}, once that
   * reaches {@code minAcks} or after {@code timeoutMs}. Takes no lock of Membership's.
   */
  CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
    return waiters.await(shard, seq, minAcks, timeoutMs);
  }

  /**
   * Whether {@code shard} is assigned to follower {@code id}, or being moved to it (a shard it is
   * to take is assigned before it is ready): what it may fetch with catch-up and snapshot requests.
   */
  public synchronized boolean isAssigned(String id, int shard) {
    Member member = members.get(id);
    return member != null && member.assigned.contains(shard);
  }

  /** Writes waiting for acks now. */
  int pendingAckWaits() {
    return waiters.pending();
  }

  /** How many times rendezvous placement ran over every shard. */
  synchronized int placementsComputed() {
    return assignments.placementsComputed();
  }

  /** How many followers each shard is placed on (R). */
  public int replicationFactor() {
    return replicationFactor;
  }

  /**
   * Adds to {@code batch} the followers of a leader data dir made from their copies, each with the
   * shards it holds and its assignment version, so that a leader started on it keeps them placed.
   */
  public static void seed(StoreBatch batch, List<FollowerRecord> followers) {
    MembershipRecords.seed(batch, followers);
  }

  /** The latest assignment version. Takes no lock. */
  public long version() {
    return view.version();
  }

  /** Whether the follower is known and was not declared dead. */
  public synchronized boolean isAlive(String id) {
    Member member = members.get(id);
    return member != null && member.alive;
  }

  /** Every follower's progress, for Cluster.Status; see {@link FollowerProgress#info} for its lag. */
  synchronized List<FollowerProgress> progress(long nowMs, IntFunction<ShardState> heads) {
    return members.values().stream().map(member -> FollowerProgress.of(member, nowMs, heads)).toList();
  }
}
