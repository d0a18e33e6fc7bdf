package io.kvdb.core.leader;

import io.kvdb.core.sharding.Placement;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.FollowerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The followers' assignments, as {@link Membership}'s tick moves them: rendezvous hashing picks each
 * shard's top R live (and not drained) followers, but only when the live set changed;
 * {@link HandOvers} turn those winners into what each follower holds next, make-before-break; and
 * every follower whose shards change gets the next assignment version, kept in the data dir before
 * anyone is told of it. Used under Membership's lock only.
 */
final class Assignments {
  private static final Logger log = LoggerFactory.getLogger(Assignments.class);

  private final MembershipRecords records;
  private final AckWaiters waiters;
  private final int shards;
  private final int replicationFactor;
  /** The latest assignment version, as kept. */
  private long version;
  /** Per shard, the live followers that win it; null until the first placement. */
  private List<List<String>> winners;
  /** The live set changed since {@link #winners} was computed. */
  private boolean liveSetChanged = true;
  /** New winners not yet turned into assignments. */
  private boolean reassignPending;
  private int placementsComputed;

  /** Starts from the version kept in {@code records}; acks of a changed follower stop counting in {@code waiters}. */
  Assignments(MembershipRecords records, AckWaiters waiters, int shards, int replicationFactor) {
    this.records = records;
    this.waiters = waiters;
    this.shards = shards;
    this.replicationFactor = replicationFactor;
    this.version = records.version();
  }

  /** What {@code member} is told it holds now. */
  static Assignment of(Member member) {
    return Assignment.newBuilder().setVersion(member.assignedVersion).addAllShards(member.assigned).build();
  }

  /** The latest assignment version. */
  long version() {
    return version;
  }

  /** A follower came, returned, died, or was drained or undrained: the next {@link #reassign} places anew. */
  void liveSetChanged() {
    liveSetChanged = true;
  }

  /** How many times rendezvous placement ran over every shard. */
  int placementsComputed() {
    return placementsComputed;
  }

  /**
   * Moves {@code members}' assignments on: new winners if the live set changed, then the hand-overs
   * that are due. Returns the followers whose assignment changed, with their new assignment, to be
   * sent to them; none while the disk is below its reserve (followers keep what they hold, and the
   * next call tries again).
   */
  Map<String, Assignment> reassign(Map<String, Member> members) {
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
    Map<String, Assignment> changed = apply(members, next);
    if (changed == null) { // deferred until the disk has room: followers keep what they hold
      return Map.of();
    }
    reassignPending = false;
    return changed;
  }

  /**
   * Gives each follower in {@code next} whose shards differ a new assignment version, kept in the
   * data dir before anyone is told of it. Returns null when the disk is below its reserve: then
   * nothing changes, and the next tick tries again.
   */
  private Map<String, Assignment> apply(Map<String, Member> members, Map<String, Set<Integer>> next) {
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
      changed.put(id, of(member));
    });
    return changed;
  }
}
