package io.kvdb.core.metrics;

import io.kvdb.core.follower.ReplicaMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * A follower's applying of replication events: {@code kvdb_follower_apply_seconds} (a Prometheus
 * histogram of the time to apply one batch of events: live ones as they come, or one catch-up
 * reply) and {@code kvdb_follower_events_applied_total}.
 */
public final class ApplyMeters implements ReplicaMetrics {
  private final Timer apply;
  private final Counter events;

  public ApplyMeters(MeterRegistry registry) {
    apply = Timer.builder("kvdb.follower.apply")
        .description("Time to apply a batch of replication events to this follower's LevelDB")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.of(10, ChronoUnit.MICROS))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    events = Counter.builder("kvdb.follower.events.applied")
        .description("Replication events applied (duplicates not counted)")
        .register(registry);
  }

  @Override
  public void applied(int count, long nanos) {
    apply.record(nanos, TimeUnit.NANOSECONDS);
    events.increment(count);
  }
}
