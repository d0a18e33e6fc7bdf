package io.kvdb.core.follower;

import io.kvdb.core.protocol.Frames;
import io.kvdb.replication.v1.Assignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the follower hold exactly the shards the leader assigns it: a newly assigned shard gets a
 * {@link ShardSync} and a subscription to its topic; a shard no longer assigned loses both, and
 * its data is dropped (the leader only unassigns a shard once its new holders have caught up).
 * Owned by the replication thread.
 */
final class AssignmentApplier {
  private static final Logger log = LoggerFactory.getLogger(AssignmentApplier.class);

  private final Map<Integer, ShardSync> syncs;
  /** Shards found damaged or half-installed at start-up: synced by snapshot if assigned, else dropped. */
  private final Set<Integer> suspect;
  /**
   * Shards the data dir held complete at start-up (data, no install marker, digest checked), not
   * yet settled by an assignment: readable (stale) till the first assignment keeps or drops them.
   */
  private final Set<Integer> restored;
  private long version;

  AssignmentApplier(Map<Integer, ShardSync> syncs, Set<Integer> suspect, Set<Integer> restored) {
    this.syncs = syncs;
    this.suspect = new TreeSet<>(suspect);
    this.restored = new TreeSet<>(restored);
    this.restored.removeAll(suspect);
  }

  long version() {
    return version;
  }

  /** The complete shards kept from start-up that no assignment has settled yet (see the read view). */
  Set<Integer> restored() {
    return restored;
  }

  /** Applies {@code assignment} unless it is older than the one held; false when it was not applied. */
  boolean apply(Assignment assignment, SyncContext context) {
    if (assignment.getVersion() < version) {
      return false;
    }
    ReplicaStore replica = context.replica();
    Set<Integer> next = new TreeSet<>();
    for (int shard : assignment.getShardsList()) {
      if (shard < 0 || shard >= replica.shards()) {
        Frames.malformed("the leader", "an assignment of shard " + Integer.toUnsignedString(shard) + " out of range");
        return false;
      }
      next.add(shard);
    }
    version = assignment.getVersion();
    List<Integer> added = new ArrayList<>();
    for (int shard : next) {
      if (!syncs.containsKey(shard)) {
        ShardSync sync = new ShardSync(shard, suspect.remove(shard), restored.remove(shard), context);
        syncs.put(shard, sync);
        context.outbox().subscribe(shard);
        added.add(shard);
        sync.resync();
      }
    }
    Set<Integer> dropped = new TreeSet<>(syncs.keySet());
    dropped.removeAll(next);
    // Data kept from before a restart (whole, or half a snapshot) of shards no longer placed here.
    dropped.addAll(replica.shardsHeld());
    dropped.addAll(suspect);
    dropped.removeAll(next);
    for (int shard : dropped) {
      if (syncs.remove(shard) != null) {
        context.outbox().unsubscribe(shard);
      }
    }
    restored.clear(); // each is now assigned (its sync took it over) or dropped
    context.publishView().run(); // the dropped shards leave the read view before their data goes
    dropped.forEach(replica::drop);
    suspect.removeAll(dropped);
    log.info("assignment v{}: holding {} shard(s); +{} {} -{} {}", version, next.size(), added.size(), added,
        dropped.size(), dropped);
    return true;
  }

  /**
   * Shards whose data is dropped outside an assignment (for another leader): no longer suspect nor
   * readable. Called before the read view is published and the data dropped.
   */
  void forget(Set<Integer> droppedShards) {
    suspect.removeAll(droppedShards);
    restored.removeAll(droppedShards);
  }
}
