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
 * known to be stale, and joins it only once caught up. The syncs publish at those moments. Two
 * sets: live (in sync with a live leader) and readable (a complete copy, live or not).
 */
final class ReadView {
  private final String id;
  private final Consumer<FollowerView> sink;
  private Set<Integer> lastLive = Set.of();
  private Set<Integer> lastReadable = Set.of();
  private long withdrawals;

  ReadView(String id, Consumer<FollowerView> sink) {
    this.id = id;
    this.sink = sink;
  }

  /**
   * Publishes the view of now: the syncs that are live are served to every read; those that are
   * readable, and the complete shards {@code restored} from the data dir that no assignment has
   * settled yet, to reads that allow stale answers.
   */
  void publish(Session session, long assignmentVersion, int shards, Collection<ShardSync> syncs,
      Set<Integer> restored) {
    Set<Integer> assigned = new TreeSet<>();
    Set<Integer> live = new TreeSet<>();
    Set<Integer> readable = new TreeSet<>(restored);
    for (ShardSync sync : syncs) {
      assigned.add(sync.shard());
      if (sync.isLive()) {
        live.add(sync.shard());
      }
      if (sync.isReadable()) {
        readable.add(sync.shard());
      }
    }
    if (!live.containsAll(lastLive) || !readable.containsAll(lastReadable)) {
      withdrawals++;
    }
    lastLive = Set.copyOf(live);
    lastReadable = Set.copyOf(readable);
    sink.accept(new FollowerView(id, session.leaderId(), session.epoch(), session.state(live.size() == assigned.size()),
        session.refusal(), assignmentVersion, shards, Set.copyOf(assigned), lastLive, lastReadable, withdrawals,
        session.limits()));
  }
}
