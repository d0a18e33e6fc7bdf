package io.kvdb.core.follower;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which shards the follower serves now, and what its status says: built by the replication thread
 * from the session and the shard syncs, published whole as an immutable {@link FollowerView} to
 * whoever reads it on other threads (the gRPC read API, status, metrics, health).
 *
 * <p>The rule that keeps reads honest: a shard leaves the view before its data is dropped, wiped or
 * known to be stale, and joins it only once caught up. The syncs publish at those moments.
 */
final class ReadView {
  private final String id;
  private final Consumer<FollowerView> sink;
  private Set<Integer> lastLive = Set.of();
  private long withdrawals;

  ReadView(String id, Consumer<FollowerView> sink) {
    this.id = id;
    this.sink = sink;
  }

  /** Publishes the view of now: only the syncs that are live are served. */
  void publish(Session session, long assignmentVersion, int shards, Collection<ShardSync> syncs) {
    Set<Integer> assigned = new TreeSet<>();
    Set<Integer> live = new TreeSet<>();
    for (ShardSync sync : syncs) {
      assigned.add(sync.shard());
      if (sync.isLive()) {
        live.add(sync.shard());
      }
    }
    if (!live.containsAll(lastLive)) {
      withdrawals++;
    }
    lastLive = Set.copyOf(live);
    sink.accept(new FollowerView(id, session.leaderId(), session.epoch(), session.state(live.size() == assigned.size()),
        session.refusal(), assignmentVersion, shards, Set.copyOf(assigned), lastLive, withdrawals, session.limits()));
  }
}
