package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.Event;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commit times read from the backlog: the stamp of this run, the run's start otherwise, each shard's last answer kept. */
class CommitTimesTest {
  private static final long EPOCH = 7;
  private static final long RUN_STARTED_MS = 50;
  private static final int SHARD = 3;

  @TempDir Path dir;
  private KvStore store;
  private CommitTimes times;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, true);
    times = new CommitTimes(store, 8, EPOCH, RUN_STARTED_MS);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aSeqOfThisRunHasItsStampAndOneOfAnotherRunTheRunsStart() {
    log(SHARD, 1, EPOCH - 1, 999);
    log(SHARD, 2, EPOCH, 120);
    assertEquals(RUN_STARTED_MS, times.committedAtMs(SHARD, 1), "another epoch's stamp means nothing here");
    assertEquals(120, times.committedAtMs(SHARD, 2));
    assertEquals(RUN_STARTED_MS, times.committedAtMs(SHARD + 1, 2), "nothing logged in that shard");
  }

  @Test
  void aTrimmedSeqHasTheTimeOfTheOldestHeldAfterIt() {
    log(SHARD, 5, EPOCH, 300);
    assertEquals(300, times.committedAtMs(SHARD, 2));
  }

  @Test
  void theLastAnswerOfAShardStandsWithoutReadingTheBacklogAgain() {
    log(SHARD, 5, EPOCH, 100);
    log(SHARD, 6, EPOCH, 200);
    assertEquals(100, times.committedAtMs(SHARD, 5));
    try (StoreBatch trim = store.newBatch()) {
      store.write(trim.deleteLog(SHARD, 5));
    }
    // Read again, the backlog would now answer with seq 6's time: the answer kept is seq 5's own.
    assertEquals(100, times.committedAtMs(SHARD, 5));
    assertEquals(200, times.committedAtMs(SHARD, 6), "another seq is read from the backlog");
  }

  @Test
  void aSeqNotWrittenYetIsNotKept() {
    assertEquals(RUN_STARTED_MS, times.committedAtMs(SHARD, 9));
    log(SHARD, 9, EPOCH, 400);
    assertEquals(400, times.committedAtMs(SHARD, 9));
  }

  private void log(int shard, long seq, long epoch, long commitTimeMs) {
    Event event = Event.newBuilder().setShard(shard).setSeq(seq).setEpoch(epoch).setCommitTimeMs(commitTimeMs).build();
    try (StoreBatch batch = store.newBatch()) {
      store.write(batch.putLog(shard, seq, event.toByteArray()));
    }
  }
}
