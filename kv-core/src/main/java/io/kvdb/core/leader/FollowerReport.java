package io.kvdb.core.leader;

import io.kvdb.api.v1.FollowerInfo;
import java.util.List;

/**
 * The followers as Cluster.Status shows them, from one look at them.
 *
 * @param followers every known follower with its progress
 * @param underReplicated the shards fewer than R followers hold caught up, in shard order
 *     (cluster.proto's {@code under_replicated_shards})
 */
public record FollowerReport(List<FollowerInfo> followers, List<Integer> underReplicated) {
  public FollowerReport {
    followers = List.copyOf(followers);
    underReplicated = List.copyOf(underReplicated);
  }
}
