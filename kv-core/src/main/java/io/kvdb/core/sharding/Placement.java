package io.kvdb.core.sharding;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rendezvous (highest-random-weight) placement of shards on followers: each follower gets a weight
 * per shard from a hash of (follower id, shard), and a shard goes to the R followers with the
 * highest weights. A follower joining or leaving changes only the shards it wins or loses.
 */
public final class Placement {
  private static final HashFunction WEIGHT = Hashing.murmur3_128(0);

  private Placement() {}

  /** The weight of a follower for a shard; the highest R weights hold the shard. */
  static long weight(String followerId, int shard) {
    return WEIGHT.newHasher()
        .putString(followerId, StandardCharsets.UTF_8)
        .putInt(shard)
        .hash()
        .asLong();
  }

  /** The up to {@code replicationFactor} followers of {@code shard}, highest weight first. */
  public static List<String> holdersOf(int shard, Collection<String> followerIds, int replicationFactor) {
    checkArgument(replicationFactor > 0, "replication factor must be > 0: %s", replicationFactor);
    List<String> ranked = new ArrayList<>(followerIds);
    ranked.sort(
        Comparator.comparingLong((String id) -> weight(id, shard))
            .reversed()
            .thenComparing(Comparator.naturalOrder()));
    return List.copyOf(ranked.subList(0, Math.min(replicationFactor, ranked.size())));
  }

  /** For every shard 0..shards-1: its holders. */
  public static Map<Integer, List<String>> place(int shards, Collection<String> followerIds, int replicationFactor) {
    Map<Integer, List<String>> placement = new TreeMap<>();
    for (int shard = 0; shard < shards; shard++) {
      placement.put(shard, holdersOf(shard, followerIds, replicationFactor));
    }
    return placement;
  }
}
