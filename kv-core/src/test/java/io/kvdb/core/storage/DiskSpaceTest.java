package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpaceTest {
  /** More than any disk has free. */
  private static final long HUGE = Long.MAX_VALUE / 4;

  @TempDir Path dir;

  @Test
  void startRefusedBelowTheReserveWithAMessageNamingTheFlag() {
    StorageException e = assertThrows(StorageException.class, () -> new DiskSpace(dir, "leader", HUGE).checkAtStart());
    assertTrue(e.getMessage().contains("--min-free-disk") && e.getMessage().contains(dir.toString()), e.getMessage());
    assertDoesNotThrow(() -> new DiskSpace(dir, "leader", 0).checkAtStart());
  }

  @Test
  void aDataDirStillToBeMadeIsMeasuredOnItsParentsDisk() {
    assertDoesNotThrow(() -> new DiskSpace(dir.resolve("not/yet/made"), "leader", 0).checkAtStart());
  }

  @Test
  void writesThatWouldEatIntoTheReserveAreRefused() {
    DiskSpace.FullException e =
        assertThrows(DiskSpace.FullException.class, () -> new DiskSpace(dir, "leader", HUGE).checkRoom(1));
    assertTrue(e.getMessage().contains("almost full"), e.getMessage());
    assertThrows(DiskSpace.FullException.class, () -> new DiskSpace(dir, "leader", 0).checkRoom(HUGE));
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
