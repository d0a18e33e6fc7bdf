package io.kvdb.core.storage;

import static org.fusesource.leveldbjni.JniDBFactory.factory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.sharding.ShardFunction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader data dir of format 1 (bare values, events without revisions) is migrated at start. */
class FormatMigrationTest {
  private static final int SHARDS = 4;
  private static final long OLD_EPOCH = 1_700_000_000_000L;

  @TempDir Path dir;

  @Test
  void everyKeyGetsAFreshVersionTheDigestCoversItAndTheBacklogGoes() throws IOException {
    Map<String, String> pairs = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      pairs.put("key-" + i, "value " + i);
    }
    writeFormat1(pairs);
    assertThrows(OldFormatException.class, () -> KvStore.open(dir, false), "a plain open refuses format 1");

    long before = System.currentTimeMillis();
    ShardFunction shardOf = new ShardFunction(SHARDS);
    Set<Long> versions = new HashSet<>();
    try (KvStore store = FormatMigration.openMigrating(dir, false)) {
      assertEquals(Layout.FORMAT_VERSION, store.formatVersion());
      for (Map.Entry<String, String> pair : pairs.entrySet()) {
        byte[] key = pair.getKey().getBytes(StandardCharsets.UTF_8);
        StoredValue stored = store.get(shardOf.shardOf(key), key).orElseThrow();
        assertArrayEquals(pair.getValue().getBytes(StandardCharsets.UTF_8), stored.value());
        assertEquals(0, stored.expiresAtMs());
        assertTrue(stored.version() >= before * Revisions.PER_MS, "above the floor of the migrating start");
        versions.add(stored.version());
      }
      assertEquals(pairs.size(), versions.size(), "every key a version of its own");
      for (int shard = 0; shard < SHARDS; shard++) {
        ShardState state = store.shardState(shard);
        long digest = 0;
        long keys = 0;
        try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
          while (cursor.next()) {
            digest += Digest.of(cursor.key(), cursor.stored());
            keys++;
          }
        }
        assertEquals(digest, state.digest(), "shard " + shard + "'s digest covers the versions");
        assertEquals(keys, state.keys());
        assertEquals(100 + shard, state.seq(), "the seq is kept");
        assertEquals(0, store.oldestLogSeq(shard), "the backlog of events without revisions is dropped");
      }
      long highest = versions.stream().mapToLong(Long::longValue).max().orElseThrow();
      LeaderMetadata leader = LeaderMetadata.start(store, java.util.OptionalInt.empty(), SHARDS);
      assertTrue(Revisions.start(store, leader.epoch()).next() > highest, "the next write is above every migrated version");
    }
    try (KvStore again = FormatMigration.openMigrating(dir, false)) {
      byte[] key = "key-1".getBytes(StandardCharsets.UTF_8);
      assertTrue(versions.contains(again.get(shardOf.shardOf(key), key).orElseThrow().version()),
          "a second start does not migrate again");
    }
  }

  /** The format 1 layout, as the previous build wrote it: bare values, shard states, log entries. */
  private void writeFormat1(Map<String, String> pairs) throws IOException {
    ShardFunction shardOf = new ShardFunction(SHARDS);
    try (DB db = factory.open(dir.toFile(), new Options().createIfMissing(true))) {
      db.put(Layout.meta("format"), ByteBuffer.allocate(4).putInt(1).array());
      db.put(Layout.meta(LeaderMetadata.SHARDS), ByteBuffer.allocate(8).putLong(SHARDS).array());
      db.put(Layout.meta(LeaderMetadata.EPOCH), ByteBuffer.allocate(8).putLong(OLD_EPOCH).array());
      db.put(Layout.meta(LeaderMetadata.LEADER_ID), "old-leader".getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> pair : pairs.entrySet()) {
        byte[] key = pair.getKey().getBytes(StandardCharsets.UTF_8);
        db.put(Layout.data(shardOf.shardOf(key), key), pair.getValue().getBytes(StandardCharsets.UTF_8));
      }
      for (int shard = 0; shard < SHARDS; shard++) {
        db.put(Layout.shardState(shard), new ShardState(100 + shard, OLD_EPOCH, 12345, 1).encode());
        db.put(Layout.log(shard, 100 + shard), new byte[] {1, 2, 3});
      }
    }
  }
}
