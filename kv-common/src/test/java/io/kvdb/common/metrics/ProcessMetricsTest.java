package io.kvdb.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProcessMetricsTest {
  @Test
  void scrapeShowsTheJvmAndProcessFamilies() {
    try (ProcessMetrics metrics = new ProcessMetrics()) {
      String text = metrics.scrape();
      for (String family : new String[] {
          "jvm_memory_used_bytes{area=\"heap\"", // memory
          "jvm_gc_memory_allocated_bytes_total", // GC
          "jvm_threads_live_threads", // threads
          "jvm_classes_loaded_classes", // class loader
          "system_cpu_count", "process_cpu_usage", // processor
          "process_uptime_seconds", "process_start_time_seconds", // uptime
          "process_files_open_files", // file descriptors
      }) {
        assertTrue(text.contains("\n" + family), family + " missing from:\n" + text);
      }
    }
  }

  @Test
  void refreshersRunBeforeEachScrape() {
    try (ProcessMetrics metrics = new ProcessMetrics()) {
      AtomicInteger value = new AtomicInteger();
      AtomicInteger source = new AtomicInteger(41);
      Gauge.builder("kvdb.test.refreshed", value, AtomicInteger::get).register(metrics.registry());
      metrics.beforeScrape(() -> value.set(source.incrementAndGet()));

      assertTrue(metrics.scrape().contains("\nkvdb_test_refreshed 42.0\n"));
      assertTrue(metrics.scrape().contains("\nkvdb_test_refreshed 43.0\n"));
      assertEquals(43, value.get());
    }
  }
}
