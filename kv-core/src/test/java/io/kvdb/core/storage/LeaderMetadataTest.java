package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderMetadataTest {
  @TempDir Path dir;

  private LeaderMetadata start(OptionalInt shards) {
    try (KvStore store = KvStore.open(dir, true)) {
      return LeaderMetadata.start(store, shards, 64);
    }
  }

  @Test
  void newDataDirGetsARandomIdTheDefaultShardsAndAnEpochNotBelowTheWallClock() {
    long before = System.currentTimeMillis();
    LeaderMetadata first = start(OptionalInt.empty());
    assertEquals(64, first.shards());
    assertTrue(first.epoch() >= before, "epoch " + first.epoch() + " is at least the start time " + before);
    assertEquals(first.leaderId(), UUID.fromString(first.leaderId()).toString());
  }

  @Test
  void everyStartBumpsTheEpochAndKeepsTheIdAndShards() {
    LeaderMetadata first = start(OptionalInt.of(16));
    LeaderMetadata second = start(OptionalInt.empty());
    LeaderMetadata third = start(OptionalInt.of(16));
    assertEquals(16, second.shards());
    assertEquals(first.leaderId(), third.leaderId());
    assertTrue(second.epoch() > first.epoch());
    assertTrue(third.epoch() > second.epoch());
  }

  @Test
  void differentShardCountOnAnExistingDirIsRefused() {
    LeaderMetadata first = start(OptionalInt.of(16));
    StorageException e = assertThrows(StorageException.class, () -> start(OptionalInt.of(32)));
    assertEquals("data dir " + dir + " was created with 16 shards; --shards 32 would move every key."
        + " Drop the flag or use a new data dir", e.getMessage());
    try (KvStore store = KvStore.open(dir, true)) {
      assertEquals(first.epoch(), store.metaLong(LeaderMetadata.EPOCH, 0), "a refused start does not count as a start");
    }
  }

  @Test
  void aDataDirRestoredFromAnOldBackupNeverReusesAnEpoch() {
    LeaderMetadata first = start(OptionalInt.empty());
    try (KvStore store = KvStore.open(dir, true)) {
      store.putMetaSynced(LeaderMetadata.EPOCH, 5L); // as if restored from a copy taken long ago
    }
    assertTrue(start(OptionalInt.empty()).epoch() > first.epoch());
  }

  @Test
  void twoDataDirsGetDifferentIds() {
    LeaderMetadata a = start(OptionalInt.empty());
    LeaderMetadata b;
    try (KvStore store = KvStore.open(dir.resolve("other"), true)) {
      b = LeaderMetadata.start(store, OptionalInt.empty(), 64);
    }
    assertTrue(!a.leaderId().equals(b.leaderId()));
  }
}
