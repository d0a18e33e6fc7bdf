package io.kvdb.leader.replication;

import io.kvdb.core.leader.Membership;
import java.util.HashSet;
import java.util.Set;

/**
 * Who may ask the control channel for what. Catch-up and snapshot requests pin the leader's data
 * (a snapshot holds a LevelDB snapshot and the backlog after it), so they are served only to a
 * follower that said hello to this leader run, for a shard assigned to it or being moved to it.
 * Anyone else gets a refusal and pins nothing, whatever routing ids it makes up.
 *
 * <p>Used by the control thread only.
 */
final class ControlAccess {
  private final Membership membership;
  /** Routing ids (= follower ids) whose hello this leader run accepted; at most one per member. */
  private final Set<String> greeted = new HashSet<>();

  ControlAccess(Membership membership) {
    this.membership = membership;
  }

  /** The hello of {@code id} was accepted. */
  void greeted(String id) {
    greeted.add(id);
  }

  /** A hello of {@code id} was refused: until it says hello again, it may fetch nothing. */
  void refused(String id) {
    greeted.remove(id);
  }

  /** Whether {@code from} may fetch {@code shard} with catch-up and snapshot requests. */
  boolean mayFetch(String from, int shard) {
    return greeted.contains(from) && membership.isAssigned(from, shard);
  }

  /** Why {@code from} may not fetch {@code shard}, for its refusal. */
  String whyNot(String from, int shard) {
    if (!greeted.contains(from)) {
      return "'" + from + "' has not said hello to this leader (epoch changed, or not a follower): say hello first";
    }
    return "shard " + shard + " is not assigned to follower " + from + ", nor being moved to it";
  }
}
