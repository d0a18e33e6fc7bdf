package io.kvdb.core.leader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds each shard now, as one immutable value. {@link Membership} builds a new view whenever a
 * follower's liveness or assignment changes and publishes it by reference, so that the writer
 * thread and the gRPC threads read holders without taking Membership's lock.
 */
final class PlacementView {
  private final long version;
  /** Per shard: the live followers it is assigned to (incoming ones included), in id order. */
  private final List<String>[] holders;

  private PlacementView(long version, List<String>[] holders) {
    this.version = version;
    this.holders = holders;
  }

  /** No follower holds anything. */
  static PlacementView empty(int shards, long version) {
    @SuppressWarnings("unchecked")
    List<String>[] none = new List[shards];
    Arrays.fill(none, List.of());
    return new PlacementView(version, none);
  }

  /**
   * The view of {@code assigned} (follower id to its shards, live followers only, iterated in id
   * order). Equal holder lists are shared: a cluster of F followers has few distinct ones, so the
   * view costs about one reference per shard.
   */
  static PlacementView of(int shards, long version, Map<String, ? extends Iterable<Integer>> assigned) {
    @SuppressWarnings("unchecked")
    List<String>[] building = new List[shards];
    assigned.forEach((id, held) -> {
      for (int shard : held) {
        if (building[shard] == null) {
          building[shard] = new ArrayList<>(2);
        }
        building[shard].add(id);
      }
    });
    Map<List<String>, List<String>> shared = new HashMap<>();
    @SuppressWarnings("unchecked")
    List<String>[] holders = new List[shards];
    for (int shard = 0; shard < shards; shard++) {
      holders[shard] = building[shard] == null ? List.of()
          : shared.computeIfAbsent(building[shard], List::copyOf);
    }
    return new PlacementView(version, holders);
  }

  /** The assignment version this view was built at. */
  long version() {
    return version;
  }

  List<String> holdersOf(int shard) {
    return holders[shard];
  }
}
