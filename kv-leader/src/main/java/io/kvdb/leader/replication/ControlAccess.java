package io.kvdb.leader.replication;

import io.kvdb.core.leader.Membership;
import io.kvdb.core.security.AuthorizedKeys;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Who may ask the control channel for what. Catch-up and snapshot requests pin the leader's data
 * (a snapshot holds a LevelDB snapshot and the backlog after it), so they are served only to a
 * follower that said hello to this leader run, for a shard assigned to it or being moved to it.
 * Anyone else gets a refusal and pins nothing, whatever routing ids it makes up. With CURVE, every
 * message must also come from a key authorized for the follower id it claims: an authorized key
 * cannot pose as another follower.
 *
 * <p>Used by the control thread only.
 */
final class ControlAccess {
  private final Membership membership;
  private final Optional<AuthorizedKeys> keys;
  /** Routing ids (= follower ids) whose hello this leader run accepted; at most one per member. */
  private final Set<String> greeted = new HashSet<>();

  /** {@code keys}: with CURVE, the followers' keys and the ids each may act as. */
  ControlAccess(Membership membership, Optional<AuthorizedKeys> keys) {
    this.membership = membership;
    this.keys = keys;
  }

  /**
   * With CURVE, why the client whose key is {@code curveKey} (the ZAP user id ZeroMQ attaches to
   * its messages) may not send as follower {@code from}, or null when it may; without CURVE, null.
   */
  String keyRefusal(String from, String curveKey) {
    return keys.map(authorized -> authorized.refusal(curveKey, from)).orElse(null);
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
