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
  void newDataDirGetsARandomIdTheDefaultShardsAndEpochOne() {
    LeaderMetadata first = start(OptionalInt.empty());
    assertEquals(64, first.shards());
    assertEquals(1, first.epoch());
    assertEquals(first.leaderId(), UUID.fromString(first.leaderId()).toString());
  }

  @Test
  void everyStartBumpsTheEpochAndKeepsTheIdAndShards() {
    LeaderMetadata first = start(OptionalInt.of(16));
    LeaderMetadata second = start(OptionalInt.empty());
    LeaderMetadata third = start(OptionalInt.of(16));
    assertEquals(16, second.shards());
    assertEquals(first.leaderId(), third.leaderId());
    assertEquals(2, second.epoch());
    assertEquals(3, third.epoch());
  }

  @Test
  void differentShardCountOnAnExistingDirIsRefused() {
    start(OptionalInt.of(16));
    StorageException e = assertThrows(StorageException.class, () -> start(OptionalInt.of(32)));
    assertEquals("data dir " + dir + " was created with 16 shards; --shards 32 would move every key."
        + " Drop the flag or use a new data dir", e.getMessage());
    assertEquals(2, start(OptionalInt.empty()).epoch(), "a refused start does not count as a start");
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
