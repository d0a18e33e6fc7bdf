package io.kvdb.core.leader;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shards each live follower should hold next, make-before-break: a follower keeps a shard it
 * no longer wins (its {@code leaving} shards) until every winner of that shard is ready. Run by
 * {@link Membership} under its lock; returns the wanted shards per follower and changes no
 * assignment (new winners only reset the followers' leaving shards).
 *
 * <p>A drained follower also keeps a shard while it has fewer than R winners (followers died
 * during the drain): its copy is one of the R, and a drain never lowers a shard's copies.
 */
final class HandOvers {
  private HandOvers() {}

  /** After new winners: every live follower holds what it wins, plus what it hands over still. */
  static Map<String, Set<Integer>> afterNewWinners(Map<String, Member> members, List<List<String>> winners,
      int replicationFactor) {
    Map<String, Set<Integer>> wins = new HashMap<>();
    for (int shard = 0; shard < winners.size(); shard++) {
      for (String id : winners.get(shard)) {
        wins.computeIfAbsent(id, x -> new TreeSet<>()).add(shard);
      }
    }
    Map<String, Set<Integer>> next = new TreeMap<>();
    for (Member member : members.values()) {
      if (!member.alive) {
        continue;
      }
      Set<Integer> held = new TreeSet<>(wins.getOrDefault(member.id, Set.of()));
      member.leaving.clear();
      for (int shard : member.assigned) {
        if (!held.contains(shard)) {
          member.leaving.add(shard);
          if (!mayLetGo(members, member, winners.get(shard), shard, replicationFactor)) {
            held.add(shard);
          }
        }
      }
      next.put(member.id, held);
    }
    return next;
  }

  /** Without new winners: only shards whose winners have all caught up are dropped by their old holder. */
  static Map<String, Set<Integer>> finished(Map<String, Member> members, List<List<String>> winners,
      int replicationFactor) {
    Map<String, Set<Integer>> next = new TreeMap<>();
    for (Member member : members.values()) {
      if (!member.alive || member.leaving.isEmpty()) {
        continue;
      }
      Set<Integer> held = new TreeSet<>(member.assigned);
      member.leaving.forEach(shard -> {
        if (mayLetGo(members, member, winners.get(shard), shard, replicationFactor)) {
          held.remove(shard);
        }
      });
      next.put(member.id, held);
    }
    return next;
  }

  /** Whether {@code member} may drop {@code shard}, which it no longer wins. */
  private static boolean mayLetGo(Map<String, Member> members, Member member, List<String> holders, int shard,
      int replicationFactor) {
    return allReady(members, holders, shard) && !(member.drained && holders.size() < replicationFactor);
  }

  private static boolean allReady(Map<String, Member> members, List<String> holders, int shard) {
    for (String id : holders) {
      Member holder = members.get(id);
      if (holder == null || !holder.ready(shard)) {
        return false;
      }
    }
    return true;
  }
}
