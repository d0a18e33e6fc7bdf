package io.kvdb.core.dump;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a leader rebuilt from its followers remembers of its rebuild, for the followers that come
 * back later: the epoch floor (every write of the lost leader has an epoch at most this), each
 * shard's head at the rebuild, and the shards it found no copy of. A follower whose copy of a shard
 * is of the lost leader (its epoch at most the floor) and holds writes the rebuild did not get (a
 * missing shard, or beyond the rebuilt head) is refused at hello: it keeps its data, which may be
 * the only copy of those writes, and its status says why.
 *
 * <p>Kept in the data dir as meta {@code rebuilt}: epoch floor (u64), shard count (u32), then per
 * shard its head seq (u64), -1 for a missing shard.
 */
public record RebuildMark(long epochFloor, long[] heads) {
  static final String META = "rebuilt";

  static void write(StoreBatch batch, long epochFloor, int shards, Map<Integer, Long> heads, List<Integer> missing) {
    ByteBuffer out = ByteBuffer.allocate(12 + 8 * shards).putLong(epochFloor).putInt(shards);
    for (int shard = 0; shard < shards; shard++) {
      out.putLong(missing.contains(shard) ? -1 : heads.getOrDefault(shard, 0L));
    }
    batch.putMeta(META, out.array());
  }

  /** The mark of a rebuilt data dir; empty for any other. */
  public static Optional<RebuildMark> read(KvStore store) {
    return store.meta(META).map(bytes -> {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      long floor = in.getLong();
      long[] heads = new long[in.getInt()];
      for (int shard = 0; shard < heads.length; shard++) {
        heads[shard] = in.getLong();
      }
      return new RebuildMark(floor, heads);
    });
  }

  /** Why {@code hello} is refused, or null: see the class comment. */
  public String refusal(Hello hello) {
    for (ShardPosition position : hello.getPositionsList()) {
      int shard = position.getShard();
      if (shard >= heads.length || position.getAppliedSeq() == 0 || position.getAppliedEpoch() > epochFloor) {
        continue; // nothing applied, or applied from this leader since its rebuild
      }
      if (heads[shard] < 0) {
        return "it holds a copy of shard " + shard + " (seq " + position.getAppliedSeq() + ") that this leader was"
            + " rebuilt without; it keeps its data. " + advice();
      }
      if (position.getAppliedSeq() > heads[shard]) {
        return "it applied shard " + shard + " up to seq " + position.getAppliedSeq() + ", beyond seq " + heads[shard]
            + " this leader was rebuilt at: it holds writes the rebuild did not get, and keeps its data. " + advice();
      }
    }
    return null;
  }

  private static String advice() {
    return "Rebuild the leader again with this follower among --rebuild-from-followers, or delete this follower's"
        + " data dir to let it copy the leader's";
  }

  /** The missing shards at the rebuild. */
  public Set<Integer> missing() {
    Set<Integer> missing = new TreeSet<>();
    for (int shard = 0; shard < heads.length; shard++) {
      if (heads[shard] < 0) {
        missing.add(shard);
      }
    }
    return missing;
  }
}
