package io.kvdb.core.follower;

import io.kvdb.core.storage.ShardState;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The follower's check of its data dir at start-up, before anything is served from it. */
public final class ReplicaCheck {
  private static final Logger log = LoggerFactory.getLogger(ReplicaCheck.class);

  private ReplicaCheck() {}

  /**
   * The shards that must be synced by snapshot: those whose install was interrupted (a marker is
   * left), and those whose data, recomputed, does not match the stored digest. Data altered or
   * corrupted behind the follower's back is re-synced, never served.
   */
  public static Set<Integer> suspectShards(ReplicaStore replica) {
    Set<Integer> suspect = new TreeSet<>(replica.interruptedInstalls());
    if (!suspect.isEmpty()) {
      log.warn("snapshot install of shard(s) {} was interrupted: they will be installed again", suspect);
    }
    int checked = 0;
    for (int shard : replica.shardsWithData()) {
      ShardState stored = replica.state(shard);
      ShardState computed = replica.recompute(shard);
      checked++;
      if (computed.digest() != stored.digest() || computed.keys() != stored.keys()) {
        log.error("shard {}: data does not match its digest (stored {} keys, found {}): it will be re-synced"
            + " from the leader by snapshot", shard, stored.keys(), computed.keys());
        suspect.add(shard);
      }
    }
    log.info("verified {} shard(s) held in the data dir: {} need a snapshot", checked, suspect.size());
    return suspect;
  }
}
