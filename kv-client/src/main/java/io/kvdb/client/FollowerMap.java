package io.kvdb.client;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.api.v1.StatusResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a {@link StaleReader} looks for the copies of each shard: the cluster's shard count and,
 * per shard, the addresses of the followers known to hold it. Immutable. Made from the leader's
 * last {@code Cluster.Status} ({@link #fromStatus}: every follower it lists, alive or not, with its
 * placed and incoming shards, since a leader that is gone can no longer say who is alive) or from
 * the followers' own Status ({@link #fromFollowers}: the shards each would serve to a stale read).
 */
public final class FollowerMap {
  private final int shardCount;
  /** Every follower address, in the order first seen. */
  private final List<String> addresses;
  /** Shard to the addresses of its known holders; shards without one are absent. */
  private final Map<Integer, List<String>> holders;

  private FollowerMap(int shardCount, List<String> addresses, Map<Integer, List<String>> holders) {
    checkArgument(shardCount > 0, "the shard count must be > 0: %s", shardCount);
    this.shardCount = shardCount;
    this.addresses = List.copyOf(addresses);
    this.holders = Map.copyOf(holders);
  }

  /** The followers of the leader's status, each with the shards placed on it or coming to it. */
  public static FollowerMap fromStatus(StatusResponse status) {
    Builder builder = new Builder();
    for (FollowerInfo follower : status.getFollowersList()) {
      if (follower.getAddress().isEmpty()) {
        continue;
      }
      builder.address(follower.getAddress());
      follower.getShardsList().forEach(shard -> builder.holds(shard, follower.getAddress()));
      follower.getIncomingShardsList().forEach(shard -> builder.holds(shard, follower.getAddress()));
    }
    return builder.build(status.getShards());
  }

  /**
   * The followers that answered their Status (address to reply), each with the shards it would
   * serve to a stale read ({@code readable_shards}).
   *
   * @throws IllegalArgumentException when none knows the shard count, or two disagree on it
   */
  public static FollowerMap fromFollowers(Map<String, FollowerStatusResponse> statuses) {
    Builder builder = new Builder();
    int shardCount = 0;
    String counted = null;
    for (Map.Entry<String, FollowerStatusResponse> entry : statuses.entrySet()) {
      FollowerStatusResponse status = entry.getValue();
      builder.address(entry.getKey());
      if (status.getShardCount() > 0) {
        checkArgument(shardCount == 0 || shardCount == status.getShardCount(),
            "the followers disagree on the shard count: %s says %s, %s says %s", counted, shardCount, entry.getKey(),
            status.getShardCount());
        shardCount = status.getShardCount();
        counted = entry.getKey();
      }
      for (ShardSeq readable : status.getReadableShardsList()) {
        builder.holds(readable.getShard(), entry.getKey());
      }
    }
    checkArgument(shardCount > 0, "no follower that answered knows the shard count (asked: %s)",
        String.join(", ", statuses.keySet()));
    return builder.build(shardCount);
  }

  /** This map and {@code other} together: the holders of both. Their shard counts must agree. */
  public FollowerMap with(FollowerMap other) {
    checkArgument(other.shardCount == shardCount, "shard counts differ: %s and %s", shardCount, other.shardCount);
    Builder builder = new Builder();
    for (FollowerMap map : List.of(this, other)) {
      map.addresses.forEach(builder::address);
      map.holders.forEach((shard, list) -> list.forEach(address -> builder.holds(shard, address)));
    }
    return builder.build(shardCount);
  }

  public int shardCount() {
    return shardCount;
  }

  /** Every follower address, in the order first seen. */
  public List<String> addresses() {
    return addresses;
  }

  /** The known holders of {@code shard}; empty when none is known. */
  public List<String> holdersOf(int shard) {
    return holders.getOrDefault(shard, List.of());
  }

  @Override
  public String toString() {
    return "FollowerMap[shards=" + shardCount + ", followers=" + addresses + ", holders=" + new TreeMap<>(holders)
        + "]";
  }

  private static final class Builder {
    private final Set<String> addresses = new LinkedHashSet<>();
    private final Map<Integer, Set<String>> holders = new TreeMap<>();

    void address(String address) {
      addresses.add(address);
    }

    void holds(int shard, String address) {
      addresses.add(address);
      holders.computeIfAbsent(shard, s -> new LinkedHashSet<>()).add(address);
    }

    Map<Integer, List<String>> holdersByShard() {
      Map<Integer, List<String>> result = new TreeMap<>();
      holders.forEach((shard, set) -> result.put(shard, new ArrayList<>(set)));
      return result;
    }

    FollowerMap build(int shardCount) {
      return new FollowerMap(shardCount, new ArrayList<>(addresses), holdersByShard());
    }
  }
}
