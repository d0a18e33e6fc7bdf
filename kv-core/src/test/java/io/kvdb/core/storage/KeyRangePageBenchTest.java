package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.core.sharding.ShardFunction;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * List page latency at 64 and 4,096 shards, on a real LevelDB store (figures printed, nothing
 * asserted on timings; see docs/PERFORMANCE.md):
 * {@code mvn -B test -Pbench -pl kv-core -am -Dtest=KeyRangePageBenchTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * Tuning: {@code -Dkvdb.bench.keys=}, {@code -Dkvdb.bench.pages=}.
 */
@Tag("bench")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class KeyRangePageBenchTest {
  private static final int KEYS = Integer.getInteger("kvdb.bench.keys", 200_000);
  private static final int PAGES = Integer.getInteger("kvdb.bench.pages", 300);
  private static final int VALUE_BYTES = 100;

  @TempDir Path dir;

  @Test
  void pageLatencyAt64And4096Shards() {
    System.out.printf("List pages over %d keys with %d-byte values, %d pages from random cursors each%n",
        KEYS, VALUE_BYTES, PAGES);
    System.out.printf("%8s %6s %10s %10s %10s %12s%n", "shards", "limit", "p50 ms", "p90 ms", "p99 ms", "cpu p50 ms");
    for (int shards : new int[] {64, 4096}) {
      try (KvStore store = KvStore.open(dir.resolve("s" + shards), false)) {
        fill(store, new ShardFunction(shards));
        for (int limit : new int[] {100, 1000}) {
          measure(store, shards, limit, PAGES / 5); // warm-up: JIT, LevelDB's block cache
          double[][] ms = measure(store, shards, limit, PAGES);
          System.out.printf("%8d %6d %10.2f %10.2f %10.2f %12.2f%n", shards, limit, at(ms[0], 0.5), at(ms[0], 0.9),
              at(ms[0], 0.99), at(ms[1], 0.5));
        }
      }
    }
  }

  private static void fill(KvStore store, ShardFunction shardOf) {
    byte[] value = new byte[VALUE_BYTES];
    for (int from = 0; from < KEYS; from += 10_000) {
      try (StoreBatch batch = store.newBatch()) {
        for (int i = from; i < Math.min(KEYS, from + 10_000); i++) {
          byte[] key = key(i);
          batch.putData(shardOf.shardOf(key), key, new StoredValue(value, 0, 0));
        }
        store.write(batch);
      }
    }
  }

  /**
   * Page latencies in ms, sorted, each page starting after a random key: wall time, and the CPU
   * time of the listing thread (less disturbed by other work on a shared machine).
   */
  private static double[][] measure(KvStore store, int shards, int limit, int pages) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Random random = new Random(shards * 31L + limit);
    double[] wall = new double[pages];
    double[] cpu = new double[pages];
    for (int i = 0; i < pages; i++) {
      byte[] startAfter = key(random.nextInt(KEYS - limit));
      long cpuStart = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      KeyRange.Page page = KeyRange.list(store, shards, shard -> true, new byte[0], startAfter, limit, false,
          3L << 20);
      wall[i] = (System.nanoTime() - start) / 1e6;
      cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
      assertEquals(limit, page.items().size());
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new double[][] {wall, cpu};
  }

  private static double at(double[] sorted, double quantile) {
    return sorted[Math.min(sorted.length - 1, (int) (quantile * sorted.length))];
  }

  private static byte[] key(int i) {
    return String.format("user/%08d", i).getBytes(StandardCharsets.UTF_8);
  }
}
