package io.kvdb.core.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rebuilt leader refuses the followers that hold writes its rebuild did not get, and only those. */
class RebuildMarkTest {
  private static final long FLOOR = 1_000;

  @TempDir Path dir;

  @Test
  void keptInTheDataDirAndAbsentFromOthers() {
    try (KvStore store = KvStore.open(dir, false)) {
      assertEquals(Optional.empty(), RebuildMark.read(store));
      try (StoreBatch batch = store.newBatch()) {
        RebuildMark.write(batch, FLOOR, 4, Map.of(0, 10L, 1, 20L, 3, 5L), List.of(2));
        store.write(batch);
      }
      RebuildMark mark = RebuildMark.read(store).orElseThrow();
      assertEquals(FLOOR, mark.epochFloor());
      assertEquals(Set.of(2), mark.missing());
    }
  }

  @Test
  void refusesACopyOfAMissingShardOrOneAheadOfTheRebuiltHeadFromTheLostLeader() {
    RebuildMark mark = new RebuildMark(FLOOR, new long[] {10, 20, -1, 5});
    assertNull(mark.refusal(hello(position(0, 10, FLOOR), position(1, 7, FLOOR - 1))), "at or behind the head");
    assertNull(mark.refusal(hello(position(2, 0, 0))), "nothing applied of the missing shard");
    assertNull(mark.refusal(hello(position(0, 50, FLOOR + 1), position(2, 3, FLOOR + 2))),
        "applied from this leader since its rebuild");

    String ahead = mark.refusal(hello(position(0, 10, FLOOR), position(1, 21, FLOOR)));
    assertTrue(ahead.startsWith("it applied shard 1 up to seq 21, beyond seq 20 this leader was rebuilt at"), ahead);
    assertTrue(ahead.contains("keeps its data"), ahead);
    String missing = mark.refusal(hello(position(2, 4, FLOOR - 5)));
    assertTrue(missing.startsWith("it holds a copy of shard 2 (seq 4) that this leader was rebuilt without"), missing);
  }

  private static Hello hello(ShardPosition... positions) {
    return Hello.newBuilder().setFollowerId("f1").addAllPositions(List.of(positions)).build();
  }

  private static ShardPosition position(int shard, long seq, long epoch) {
    return ShardPosition.newBuilder().setShard(shard).setAppliedSeq(seq).setAppliedEpoch(epoch).build();
  }
}
