package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARDS;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A long run (mvn -Psoak verify): many writers, many group commits, then every shard checked from scratch. */
@Tag("soak")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class WritePipelineSoakTest {
  private static final int WRITERS = 4;
  private static final int WRITES_PER_WRITER = 50_000;

  @TempDir Path dir;

  @Test
  void concurrentWritersLeaveConsistentSeqsAndDigests() throws Exception {
    try (KvStore store = KvStore.open(dir, false)) {
      long committed = 0;
      try (WritePipeline pipeline = pipeline(store)) {
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<Future<Long>> counts = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int seed = w;
          counts.add(writers.submit(() -> write(pipeline, new Random(seed))));
        }
        for (Future<Long> count : counts) {
          committed += count.get();
        }
        writers.shutdown();
      }
      long seqs = 0;
      for (int shard = 0; shard < SHARDS; shard++) {
        ShardState state = store.shardState(shard);
        seqs += state.seq();
        long digest = 0;
        long keys = 0;
        try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
          while (cursor.next()) {
            digest += Digest.of(cursor.key(), cursor.stored());
            keys++;
          }
        }
        assertEquals(digest, state.digest(), "shard " + shard);
        assertEquals(keys, state.keys(), "shard " + shard);
      }
      assertEquals(committed, seqs, "one seq per committed write, no more, no less");
    }
  }

  /** Writes with a bounded window of outstanding requests; returns how many were committed. */
  private static long write(WritePipeline pipeline, Random random) throws Exception {
    long committed = 0;
    List<CompletableFuture<Committed>> window = new ArrayList<>();
    for (int i = 0; i < WRITES_PER_WRITER; i++) {
      String key = "k" + random.nextInt(5_000);
      window.add(random.nextInt(5) == 0
          ? pipeline.delete(key)
          : pipeline.put(key, ("v" + random.nextLong()).getBytes(StandardCharsets.UTF_8)));
      if (window.size() == 256 || i == WRITES_PER_WRITER - 1) {
        for (CompletableFuture<Committed> reply : window) {
          if (reply.get(1, TimeUnit.MINUTES).found()) {
            committed++;
          }
        }
        window.clear();
      }
    }
    return committed;
  }
}
