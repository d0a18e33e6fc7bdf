package io.kvdb.core.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.PipelineMetrics;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.ShardCursor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A leader data dir filled through the real write pipeline, and comparisons of two data dirs. */
final class DumpFixture {
  static final int SHARDS = 8;

  private DumpFixture() {}

  /**
   * Opens a leader in {@code dir}, puts {@code keys} keys (values of varied size, a few
   * overwritten, some deleted) and closes it; returns its metadata.
   */
  static LeaderMetadata filledLeader(Path dir, int keys) throws Exception {
    try (KvStore store = KvStore.open(dir, false)) {
      LeaderMetadata leader = LeaderMetadata.start(store, OptionalInt.of(SHARDS), SHARDS);
      try (WritePipeline pipeline = new WritePipeline(store, leader, 1000, new BacklogPins(), EventSink.NONE,
          store::write, new DiskSpace(dir, "leader", 0), () -> 1_000L, PipelineMetrics.NONE,
          new Supervisor("dump test", status -> {}))) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
          writes.add(pipeline.put("key-" + i, ("value-" + i + "-" + "x".repeat(i % 300)).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < keys; i += 7) {
          writes.add(pipeline.put("key-" + i, ("second-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 3; i < keys; i += 10) {
          writes.add(pipeline.delete("key-" + i));
        }
        for (CompletableFuture<?> write : writes) {
          write.get(30, TimeUnit.SECONDS);
        }
      }
      return leader;
    }
  }

  /** Asserts that both stores hold the same pairs and shard states in every shard. */
  static void assertSameShards(KvStore expected, KvStore actual, int shards) {
    for (int shard = 0; shard < shards; shard++) {
      assertEquals(expected.shardState(shard), actual.shardState(shard), "state of shard " + shard);
      try (ShardCursor left = expected.cursor(shard, null, false, null);
          ShardCursor right = actual.cursor(shard, null, false, null)) {
        while (left.next()) {
          assertEquals(true, right.next(), "shard " + shard + " lacks keys");
          assertArrayEquals(left.key(), right.key());
          assertArrayEquals(left.value(), right.value());
        }
        assertEquals(false, right.next(), "shard " + shard + " has extra keys");
      }
    }
  }
}
