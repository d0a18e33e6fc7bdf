package io.kvdb.core.metrics;

import io.kvdb.core.leader.PipelineMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * The leader's write pipeline as Prometheus histograms: {@code kvdb_write_batch_size} (writes per
 * committed batch: how much group commit gathers) and {@code kvdb_write_batch_sync_seconds} (the
 * LevelDB write of each batch, fsync included in durable mode).
 */
public final class WriteMeters implements PipelineMetrics {
  private final DistributionSummary size;
  private final Timer sync;

  public WriteMeters(MeterRegistry registry) {
    size = DistributionSummary.builder("kvdb.write.batch.size")
        .description("Writes per committed batch (group commit)")
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(1024.0) // the pipeline's largest batch
        .register(registry);
    sync = Timer.builder("kvdb.write.batch.sync")
        .description("Time to commit a write batch to LevelDB, fsync included in durable mode")
        .publishPercentileHistogram()
        // An fsync takes about 0.3 ms here, an unsynced write a few microseconds.
        .minimumExpectedValue(Duration.of(10, ChronoUnit.MICROS))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  @Override
  public void batchCommitted(int writes, long syncNanos) {
    size.record(writes);
    sync.record(syncNanos, TimeUnit.NANOSECONDS);
  }
}
