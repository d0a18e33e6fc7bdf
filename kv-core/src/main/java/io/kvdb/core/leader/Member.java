package io.kvdb.core.leader;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One follower as the leader knows it. Owned by {@link Membership}, under its lock. */
final class Member {
  final String id;
  String address;
  boolean alive;
  /** Drained (Cluster.Drain): placement leaves it out, so it hands its shards over and ends with none. */
  boolean drained;
  long lastSeenMs;
  Set<Integer> assigned = new TreeSet<>();
  /**
   * Assigned shards it no longer wins: it keeps each until every winner of the shard is ready
   * (make-before-break). Always {@code assigned} minus the shards it wins.
   */
  final Set<Integer> leaving = new TreeSet<>();
  long assignedVersion;
  long ackedVersion = -1;
  final Map<Integer, Long> applied = new HashMap<>();
  Set<Integer> syncing = new HashSet<>();

  Member(String id) {
    this.id = id;
  }

  /** Whether it holds a usable copy of {@code shard}: assigned, acked at that assignment, synced. */
  boolean ready(int shard) {
    return assigned.contains(shard) && ackedVersion >= assignedVersion && !syncing.contains(shard)
        && applied.containsKey(shard);
  }
}
