package io.kvdb.core.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.DumpMessage;
import io.kvdb.common.dump.BackupFile;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup file: a restore of it is the leader it was taken from, and a damaged one is refused, leaving nothing. */
class BackupFileTest {
  @TempDir Path dir;
  private Path backup;

  @BeforeEach
  void backUp() throws Exception {
    LeaderMetadata leader = DumpFixture.filledLeader(dir.resolve("leader"), 1500);
    backup = dir.resolve("backup.kvdump");
    try (BackupFile.Writer file = new BackupFile.Writer(backup)) {
      for (DumpMessage message : ShardDumpTest.dump(dir.resolve("leader"), leader, 8192)) {
        file.write(message);
      }
      file.end();
    }
  }

  @Test
  void restoredDataDirHoldsWhatTheLeaderHeld() throws Exception {
    Path restored = dir.resolve("restored");
    LeaderDirWriter.Result result = Restore.restore(backup, restored);
    assertEquals(DumpFixture.SHARDS, result.shards().size());
    try (KvStore source = KvStore.open(dir.resolve("leader"), false);
        KvStore copy = KvStore.open(restored, false)) {
      DumpFixture.assertSameShards(source, copy, DumpFixture.SHARDS);
    }
    assertEquals(List.of("backup.kvdump", "leader", "restored"), entries(dir), "no temporary dir left");
  }

  @Test
  void anEmptyExistingDirIsRestoredInto() throws Exception {
    Files.createDirectory(dir.resolve("empty"));
    Restore.restore(backup, dir.resolve("empty"));
    assertTrue(Files.exists(dir.resolve("empty").resolve("CURRENT")), "a LevelDB dir");
  }

  @Test
  void aNonEmptyDataDirIsRefusedAndLeftAlone() throws Exception {
    Path taken = Files.createDirectory(dir.resolve("taken"));
    Files.writeString(taken.resolve("file"), "mine");
    DumpException refused = assertThrows(DumpException.class, () -> Restore.restore(backup, taken));
    assertTrue(refused.getMessage().contains("is not empty"), refused.getMessage());
    assertEquals(List.of("file"), entries(taken));
  }

  @Test
  void aCorruptedFileIsRefusedSayingWhereAndLeavesNothingBehind() throws Exception {
    long size = Files.size(backup);
    try (RandomAccessFile file = new RandomAccessFile(backup.toFile(), "rw")) {
      file.seek(size / 2);
      int b = file.read();
      file.seek(size / 2);
      file.write(b ^ 0x40);
    }
    DumpException refused = assertThrows(DumpException.class, () -> Restore.restore(backup, dir.resolve("restored")));
    assertTrue(refused.getMessage().matches(".*: frame \\d+ at byte \\d+: .*"), refused.getMessage());
    assertTrue(refused.getMessage().contains("checksum mismatch") || refused.getMessage().contains("frame length"),
        refused.getMessage());
    assertNothingLeft();
  }

  @Test
  void aTruncatedFileIsRefusedSayingWhereAndLeavesNothingBehind() throws Exception {
    for (long cut : new long[] {Files.size(backup) - 3, Files.size(backup) / 3, 20}) {
      try (RandomAccessFile file = new RandomAccessFile(backup.toFile(), "rw")) {
        file.setLength(cut);
      }
      DumpException refused = assertThrows(DumpException.class, () -> Restore.restore(backup, dir.resolve("restored")));
      assertTrue(refused.getMessage().matches(".*: frame \\d+ at byte \\d+: truncated: .*"), refused.getMessage());
      assertNothingLeft();
    }
  }

  @Test
  void aFileCutAtAFrameBoundaryIsRefusedForItsMissingEnd() throws Exception {
    // Every frame whole, the end frame gone: the end frame is the file's last 8 + payload bytes.
    long[] endAt = {0};
    BackupFile.read(backup, (message, where) -> {
      if (message.hasEnd()) {
        endAt[0] = Long.parseLong(where.replaceAll(".* at byte ", ""));
      }
    });
    try (RandomAccessFile file = new RandomAccessFile(backup.toFile(), "rw")) {
      file.setLength(endAt[0]);
    }
    DumpException refused = assertThrows(DumpException.class, () -> Restore.restore(backup, dir.resolve("restored")));
    assertTrue(refused.getMessage().contains("truncated: the file ends inside a frame header, before its end frame"),
        refused.getMessage());
    assertNothingLeft();
  }

  @Test
  void aBackupFileIsCompleteOrAbsent() throws Exception {
    Path target = dir.resolve("second.kvdump");
    try (BackupFile.Writer file = new BackupFile.Writer(target)) {
      file.write(DumpMessage.getDefaultInstance());
      assertFalse(Files.exists(target), "the target appears only when complete");
    }
    assertEquals(List.of("backup.kvdump", "leader"), entries(dir), "a writer closed before its end leaves nothing");
    assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> new BackupFile.Writer(backup));
  }

  private void assertNothingLeft() throws IOException {
    assertFalse(Files.exists(dir.resolve("restored")));
    assertEquals(List.of("backup.kvdump", "leader"), entries(dir).stream().toList(),
        "no temporary dir left");
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
