package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreTest {
  @TempDir Path dir;

  @Test
  void dataWrittenInABatchReadsBackAfterReopen() {
    byte[] binary = {0, (byte) 0xff, 10, 13, (byte) 0x80};
    try (KvStore store = KvStore.open(dir, true); StoreBatch batch = store.newBatch()) {
      batch.putData(3, utf8("k"), new StoredValue(utf8("v"), 0, 0)).putData(4, utf8("bin"), new StoredValue(binary, 0, 0))
          .putData(3, utf8("empty"), new StoredValue(new byte[0], 0, 0));
      assertEquals(3, batch.operations());
      store.write(batch);
      assertArrayEquals(utf8("v"), store.get(3, utf8("k")).orElseThrow().value());
    }
    try (KvStore store = KvStore.open(dir, false)) {
      assertArrayEquals(utf8("v"), store.get(3, utf8("k")).orElseThrow().value());
      assertArrayEquals(binary, store.get(4, utf8("bin")).orElseThrow().value());
      assertArrayEquals(new byte[0], store.get(3, utf8("empty")).orElseThrow().value());
      assertEquals(Optional.empty(), store.get(4, utf8("k")), "a key lives in its own shard only");
    }
  }

  @Test
  void deleteInABatchRemovesTheKey() {
    try (KvStore store = KvStore.open(dir, true)) {
      write(store, b -> b.putData(1, utf8("k"), new StoredValue(utf8("v"), 0, 0)));
      write(store, b -> b.deleteData(1, utf8("k")));
      assertTrue(store.get(1, utf8("k")).isEmpty());
    }
  }

  @Test
  void syncModeIsWhatTheStoreWasOpenedWith() {
    try (KvStore store = KvStore.open(dir.resolve("sync"), true)) {
      assertTrue(store.syncWrites());
    }
    try (KvStore store = KvStore.open(dir.resolve("async"), false)) {
      assertFalse(store.syncWrites());
    }
  }

  @Test
  void newDataDirRecordsTheFormatVersion() {
    try (KvStore store = KvStore.open(dir, true)) {
      byte[] format = store.meta("format").orElseThrow();
      assertEquals(Layout.FORMAT_VERSION, ByteBuffer.wrap(format).getInt());
    }
  }

  @Test
  void dataDirOfAnotherFormatVersionIsRefused() {
    try (KvStore store = KvStore.open(dir, true)) {
      store.putMetaSynced("format", ByteBuffer.allocate(4).putInt(Layout.FORMAT_VERSION + 1).array());
    }
    StorageException e = assertThrows(StorageException.class, () -> KvStore.open(dir, true));
    assertEquals("data dir " + dir + " has format version 3; this build reads version 2", e.getMessage());
    // The refusal released the dir: a second try meets the same refusal, not a lock.
    StorageException again = assertThrows(StorageException.class, () -> KvStore.open(dir, true));
    assertEquals(e.getMessage(), again.getMessage());
  }

  @Test
  void secondOpenOfALockedDirSaysItIsLocked() {
    try (KvStore first = KvStore.open(dir, true)) {
      StorageException e = assertThrows(StorageException.class, () -> KvStore.open(dir, true));
      assertEquals("data dir " + dir + " is locked: another kvdb process is using it (stop it, or pick another --data-dir)",
          e.getMessage());
      assertTrue(first.syncWrites(), "the first store still works");
    }
    try (KvStore again = KvStore.open(dir, true)) {
      assertTrue(again.meta("format").isPresent(), "closing released the lock");
    }
  }

  @Test
  void dataDirThatIsAFileIsRefusedWithItsPath() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    StorageException e = assertThrows(StorageException.class, () -> KvStore.open(file, true));
    assertTrue(e.getMessage().startsWith("cannot create data dir " + file), e.getMessage());
  }

  @Test
  void metadataRoundTripsAndSurvivesReopen() {
    try (KvStore store = KvStore.open(dir, false)) {
      assertTrue(store.metaString("name").isEmpty());
      assertEquals(-1, store.metaLong("count", -1));
      store.putMetaSynced("name", "clé");
      store.putMetaSynced("count", 1L << 40);
    }
    try (KvStore store = KvStore.open(dir, false)) {
      assertEquals(Optional.of("clé"), store.metaString("name"));
      assertEquals(1L << 40, store.metaLong("count", -1));
    }
  }

  @Test
  void shardStateIsWrittenWithTheDataAndReadBack() {
    ShardState state = new ShardState(5, 2, -123456789L, 3);
    try (KvStore store = KvStore.open(dir, true)) {
      assertEquals(ShardState.EMPTY, store.shardState(9));
      write(store, b -> b.putData(9, utf8("k"), new StoredValue(utf8("v"), 0, 0)).putShardState(9, state));
      assertEquals(state, store.shardState(9));
      assertEquals(ShardState.EMPTY, store.shardState(8));
    }
  }

  @Test
  void snapshotSeesTheStateOfItsMoment() {
    try (KvStore store = KvStore.open(dir, true)) {
      write(store, b -> b.putData(0, utf8("a"), new StoredValue(utf8("1"), 0, 0)).putShardState(0, new ShardState(1, 1, 11, 1)));
      try (StoreSnapshot snapshot = store.snapshot()) {
        write(store, b -> b.putData(0, utf8("b"), new StoredValue(utf8("2"), 0, 0)).putShardState(0, new ShardState(2, 1, 22, 2)));
        assertEquals(1, snapshot.shardState(0).seq());
        assertEquals(List.of("a"), keys(store, 0, snapshot));
      }
      assertEquals(2, store.shardState(0).seq());
      assertEquals(List.of("a", "b"), keys(store, 0, null));
    }
  }

  @Test
  void cursorWalksOneShardInKeyOrderFromAStartKey() {
    try (KvStore store = KvStore.open(dir, true)) {
      write(store, b -> b.putData(2, utf8("c"), new StoredValue(utf8("3"), 0, 0)).putData(2, utf8("a"), new StoredValue(utf8("1"), 0, 0)).putData(2, utf8("b"), new StoredValue(utf8("2"), 0, 0))
          .putData(1, utf8("zz"), new StoredValue(utf8("other shard"), 0, 0)).putData(3, utf8("0"), new StoredValue(utf8("other shard"), 0, 0)));
      assertEquals(List.of("a", "b", "c"), keys(store, 2, null));
      assertEquals(List.of("b", "c"), cursorKeys(store, 2, utf8("b"), true));
      assertEquals(List.of("c"), cursorKeys(store, 2, utf8("b"), false));
      assertEquals(List.of("c"), cursorKeys(store, 2, utf8("bb"), false), "a start key that is absent");
      assertEquals(List.of(), cursorKeys(store, 2, utf8("d"), true));
    }
  }

  @Test
  void logEntriesAreVisitedInSeqOrderFromASeq() {
    try (KvStore store = KvStore.open(dir, true)) {
      assertEquals(0, store.oldestLogSeq(5));
      // 255 and 256 differ in the low byte only: the big-endian seq must still sort numerically.
      write(store, b -> b.putLog(5, 256, utf8("e256")).putLog(5, 3, utf8("e3")).putLog(5, 255, utf8("e255"))
          .putLog(6, 1, utf8("other shard")));
      assertEquals(3, store.oldestLogSeq(5));
      List<Long> seqs = new ArrayList<>();
      store.forEachLog(5, 4, (seq, event) -> seqs.add(seq));
      assertEquals(List.of(255L, 256L), seqs);
      List<String> events = new ArrayList<>();
      store.forEachLog(5, 0, (seq, event) -> events.add(new String(event, StandardCharsets.UTF_8)) && events.size() < 2);
      assertEquals(List.of("e3", "e255"), events, "the visitor stops the walk by returning false");
    }
  }

  @Test
  void deleteShardRemovesItsDataAndStateOnly() {
    try (KvStore store = KvStore.open(dir, true)) {
      write(store, b -> b.putData(4, utf8("a"), new StoredValue(utf8("1"), 0, 0)).putData(4, utf8("b"), new StoredValue(utf8("2"), 0, 0))
          .putShardState(4, new ShardState(2, 1, 5, 2)).putData(5, utf8("a"), new StoredValue(utf8("keep"), 0, 0)));
      write(store, b -> store.deleteShard(4, b));
      assertEquals(List.of(), keys(store, 4, null));
      assertEquals(ShardState.EMPTY, store.shardState(4));
      assertEquals(List.of("a"), keys(store, 5, null));
    }
  }

  @Test
  void followerRecordsAreVisitedAndNothingElse() {
    try (KvStore store = KvStore.open(dir, true)) {
      write(store, b -> b.putFollowerRecord("f-1", utf8("one")).putFollowerRecord("f-2", utf8("two"))
          .putData(0, utf8("f-3"), new StoredValue(utf8("data, not a follower"), 0, 0)));
      store.putMetaSynced("f", "meta, not a follower");
      List<String> records = new ArrayList<>();
      store.forEachFollowerRecord(record -> records.add(new String(record, StandardCharsets.UTF_8)));
      assertEquals(List.of("one", "two"), records);
    }
  }

  static void write(KvStore store, java.util.function.Consumer<StoreBatch> fill) {
    try (StoreBatch batch = store.newBatch()) {
      fill.accept(batch);
      store.write(batch);
    }
  }

  private static List<String> keys(KvStore store, int shard, StoreSnapshot snapshot) {
    List<String> keys = new ArrayList<>();
    try (ShardCursor cursor = store.cursor(shard, null, false, snapshot)) {
      while (cursor.next()) {
        keys.add(new String(cursor.key(), StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  private static List<String> cursorKeys(KvStore store, int shard, byte[] start, boolean inclusive) {
    List<String> keys = new ArrayList<>();
    try (ShardCursor cursor = store.cursor(shard, start, inclusive, null)) {
      while (cursor.next()) {
        keys.add(new String(cursor.key(), StandardCharsets.UTF_8));
      }
    }
    return keys;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
