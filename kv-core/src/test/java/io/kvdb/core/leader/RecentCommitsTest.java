package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The in-memory commit times: what a shard's ring holds, what it no longer holds, and its bound. */
class RecentCommitsTest {
  @Test
  void holdsEachShardsNewestSeqsAndForgetsOlderOnes() {
    RecentCommits recent = new RecentCommits(64);
    for (long seq = 1; seq <= 1500; seq++) {
      recent.published(5, seq, 1000 + seq);
    }
    assertEquals(2500, recent.committedAtMs(5, 1500));
    assertEquals(1000 + 477, recent.committedAtMs(5, 477), "1,024 newest held at 64 shards");
    assertEquals(-1, recent.committedAtMs(5, 476), "overwritten by seq 1500");
    assertEquals(-1, recent.committedAtMs(5, 1501), "not published yet");
    assertEquals(-1, recent.committedAtMs(6, 1500), "another shard");
    assertEquals(-1, recent.committedAtMs(64, 1), "no such shard");
  }

  @Test
  void manyShardsShareTheSameMemory() {
    RecentCommits recent = new RecentCommits(65_536); // one slot per shard: 1 MiB, as at 64 shards
    recent.published(65_535, 7, 70);
    recent.published(0, 1, 10);
    assertEquals(70, recent.committedAtMs(65_535, 7));
    assertEquals(10, recent.committedAtMs(0, 1));
    recent.published(0, 2, 20);
    assertEquals(-1, recent.committedAtMs(0, 1), "the one slot now holds seq 2");
    assertEquals(20, recent.committedAtMs(0, 2));
  }
}
