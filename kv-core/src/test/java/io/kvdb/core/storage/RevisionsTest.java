package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionsTest {
  @TempDir Path dir;

  @Test
  void aNewDataDirStartsAtItsEpochsFloor() {
    try (KvStore store = KvStore.open(dir, false)) {
      Revisions revisions = Revisions.start(store, 1_000);
      assertEquals(1_000 * Revisions.PER_MS, revisions.next());
      assertEquals(1_000 * Revisions.PER_MS + 1, revisions.next());
    }
  }

  @Test
  void aRestartGoesOnAboveTheSyncedReservationEvenWhenNoWriteReachedTheDisk() {
    long issued;
    try (KvStore store = KvStore.open(dir, false)) {
      Revisions revisions = Revisions.start(store, 5);
      for (int i = 0; i < 10; i++) {
        revisions.next();
      }
      issued = revisions.peek() - 1;
    }
    // An async-mode crash may drop every write of the run: the reservation was synced before the
    // first revision was issued, so the next start (same epoch floor or a lower one) is above all.
    try (KvStore store = KvStore.open(dir, false)) {
      Revisions again = Revisions.start(store, 5);
      long next = again.next();
      assertTrue(next > issued, next + " > " + issued);
      assertEquals(5 * Revisions.PER_MS + Revisions.BLOCK, next, "right after the reserved block");
    }
  }

  @Test
  void aLaterEpochsFloorWinsOverAnOlderReservation() {
    try (KvStore store = KvStore.open(dir, false)) {
      Revisions.start(store, 5).next();
      long floor = 1_800_000_000_000L * Revisions.PER_MS;
      assertEquals(floor, Revisions.start(store, 1_800_000_000_000L).next());
      assertTrue(floor < (1L << 53), "a revision of today is exact as a JSON number");
    }
  }

  @Test
  void aRunThatUsesUpItsBlockReservesTheNextBeforeIssuingFromIt() {
    try (KvStore store = KvStore.open(dir, false)) {
      Revisions revisions = Revisions.start(store, 1);
      long first = revisions.next();
      assertEquals(first + Revisions.BLOCK - 1, store.metaLong(Revisions.RESERVED, 0));
      for (long i = 1; i < Revisions.BLOCK; i++) {
        revisions.next();
      }
      assertEquals(first + Revisions.BLOCK - 1, store.metaLong(Revisions.RESERVED, 0), "the block is used up");
      long beyond = revisions.next();
      assertEquals(first + Revisions.BLOCK, beyond);
      assertEquals(beyond + Revisions.BLOCK - 1, store.metaLong(Revisions.RESERVED, 0));
    }
  }
}
