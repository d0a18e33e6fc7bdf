package io.kvdb.core.leader;

import io.kvdb.api.v1.DrainResponse;
import io.kvdb.core.sharding.Placement;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.core.storage.ShardState;
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
 * the shards whose hand-over has finished. Readers on other threads (the writer, gRPC calls) never
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
  private long version;
  private long lastTickMs;
  /** Per shard, the live followers that win it; null until the first placement. */
  private List<List<String>> winners;
  /** The live set changed since {@link #winners} was computed. */
  private boolean liveSetChanged = true;
  /** New winners not yet turned into assignments. */
  private boolean reassignPending;
  private int placementsComputed;
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
    this.version = records.version();
    this.lastTickMs = nowMs;
    members.putAll(records.load(nowMs));
    this.graceUntilMs = members.isEmpty() ? nowMs : nowMs + deadTimeoutMs;
    if (!members.isEmpty()) {
      log.info("{} known follower(s); waiting {} ms for them to return before re-placing shards",
          members.size(), deadTimeoutMs);
    }
    this.view = PlacementView.empty(shards, version);
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
      liveSetChanged = true;
      if (!member.assigned.isEmpty()) {
        publishView();
      }
    }
    return assignmentOf(member);
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
      liveSetChanged = true;
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
        liveSetChanged = true;
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
    if (liveSetChanged) {
      List<String> live = members.values().stream().filter(m -> m.alive && !m.drained).map(m -> m.id).toList();
      winners = new ArrayList<>(Placement.place(shards, live, replicationFactor).values());
      placementsComputed++;
      liveSetChanged = false;
      reassignPending = true;
    }
    Map<String, Set<Integer>> next = reassignPending
        ? HandOvers.afterNewWinners(members, winners, replicationFactor)
        : HandOvers.finished(members, winners, replicationFactor);
    Drains.emptyDead(members, next);
    Map<String, Assignment> changed = apply(next);
    if (changed == null) { // deferred until the disk has room: followers keep what they hold
      changed = Map.of();
    } else {
      reassignPending = false;
    }
    if (died || !changed.isEmpty()) {
      publishView();
    }
    return changed;
  }

  /**
   * Gives each follower in {@code next} whose shards differ a new assignment version, kept in the
   * data dir before anyone is told of it. Returns null when the disk is below its reserve: then
   * nothing changes, and the next tick tries again.
   */
  private Map<String, Assignment> apply(Map<String, Set<Integer>> next) {
    Map<String, Set<Integer>> changes = new TreeMap<>();
    next.forEach((id, held) -> {
      if (!held.equals(members.get(id).assigned)) {
        changes.put(id, held);
      }
    });
    if (changes.isEmpty()) {
      return Map.of();
    }
    Map<String, Long> versions = new TreeMap<>();
    long latest = version;
    for (String id : changes.keySet()) {
      versions.put(id, ++latest);
    }
    List<FollowerRecord> kept = members.values().stream().map(m -> MembershipRecords.record(
        m, changes.getOrDefault(m.id, m.assigned), versions.getOrDefault(m.id, m.assignedVersion))).toList();
    if (!records.persist(kept, latest)) {
      return null;
    }
    version = latest;
    Map<String, Assignment> changed = new TreeMap<>();
    changes.forEach((id, held) -> {
      Member member = members.get(id);
      Set<Integer> gained = new TreeSet<>(held);
      gained.removeAll(member.assigned);
      Set<Integer> dropped = new TreeSet<>(member.assigned);
      dropped.removeAll(held);
      member.assigned = held;
      member.leaving.removeAll(dropped);
      member.assignedVersion = versions.get(id);
      member.syncing.addAll(gained);
      waiters.forget(id); // its acks count again once it acks this version
      log.info("placement v{}: follower {} now holds {} shards (+{} {}, -{} {})", member.assignedVersion, id,
          held.size(), gained.size(), gained, dropped.size(), dropped);
      changed.put(id, assignmentOf(member));
    });
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
      Drains.mark(member, true, () -> records.persist(members.values(), version));
      liveSetChanged = true;
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
    Drains.mark(member, false, () -> records.persist(members.values(), version));
    liveSetChanged = true;
    drains.abort(id);
    log.info("follower {} undrained: it takes part in placement again", id);
    return true;
  }

  private void publishView() {
    Map<String, Set<Integer>> live = new TreeMap<>();
    members.values().stream().filter(m -> m.alive).forEach(m -> live.put(m.id, m.assigned));
    view = PlacementView.of(shards, version, live);
  }

  private static Assignment assignmentOf(Member member) {
    return Assignment.newBuilder().setVersion(member.assignedVersion).addAllShards(member.assigned).build();
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
    return placementsComputed;
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
