package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpaceTest {
  /** More than any disk has free. */
  private static final long HUGE = Long.MAX_VALUE / 4;

  @TempDir Path dir;

  /** Half of what the temp dir's disk has free now: room that other writers will not eat in a test's time. */
  private long halfOfTheFreeSpace() throws IOException {
    long usable = Files.getFileStore(dir).getUsableSpace();
    assertTrue(usable > 2, "the test disk has no free space: " + usable);
    return usable / 2;
  }

  @Test
  void startRefusedBelowTheReserveWithAMessageNamingTheFlag() throws Exception {
    StorageException e = assertThrows(StorageException.class, () -> new DiskSpace(dir, "leader", HUGE).checkAtStart());
    assertTrue(e.getMessage().contains("--min-free-disk") && e.getMessage().contains(dir.toString()), e.getMessage());
    // The reserve is weighed against the disk's free space: half of it passes, twice it does not.
    long half = halfOfTheFreeSpace();
    assertDoesNotThrow(() -> new DiskSpace(dir, "leader", half).checkAtStart());
    assertThrows(StorageException.class, () -> new DiskSpace(dir, "leader", half * 4 + 1).checkAtStart());
  }

  @Test
  void aDataDirStillToBeMadeIsMeasuredOnItsParentsDisk() throws Exception {
    long half = halfOfTheFreeSpace();
    assertDoesNotThrow(() -> new DiskSpace(dir.resolve("not/yet/made"), "leader", half).checkAtStart());
    assertThrows(StorageException.class,
        () -> new DiskSpace(dir.resolve("not/yet/made"), "leader", half * 4 + 1).checkAtStart());
  }

  @Test
  void writesThatWouldEatIntoTheReserveAreRefused() throws Exception {
    DiskSpace.FullException e =
        assertThrows(DiskSpace.FullException.class, () -> new DiskSpace(dir, "leader", HUGE).checkRoom(1));
    assertTrue(e.getMessage().contains("almost full"), e.getMessage());
    assertThrows(DiskSpace.FullException.class, () -> new DiskSpace(dir, "leader", 0).checkRoom(HUGE));
    // With half the free space kept, a small write fits and one as large as that half does not.
    long half = halfOfTheFreeSpace();
    DiskSpace reserve = new DiskSpace(dir, "leader", half);
    assertDoesNotThrow(() -> reserve.checkRoom(1));
    assertThrows(DiskSpace.FullException.class, () -> reserve.checkRoom(half));
  }

  @Test
  void aWriteCountsThreeTimesItsBytesAgainstTheReserve() {
    long[] free = {1000};
    DiskSpace reserve0 = new DiskSpace(dir, "leader", 0, () -> free[0]);
    assertDoesNotThrow(() -> reserve0.checkRoom(333), "999 of 1000 free bytes: room");
    assertThrows(DiskSpace.FullException.class, () -> reserve0.checkRoom(334), "1002 bytes on a disk with 1000 free");
    DiskSpace reserve400 = new DiskSpace(dir, "leader", 400, () -> free[0]);
    assertDoesNotThrow(() -> reserve400.checkRoom(200), "leaves exactly the 400 kept free");
    assertThrows(DiskSpace.FullException.class, () -> reserve400.checkRoom(201));
    free[0] = 2000; // space freed: accepted again
    assertDoesNotThrow(() -> reserve400.checkRoom(201));
  }
}
