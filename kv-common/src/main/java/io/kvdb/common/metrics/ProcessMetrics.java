package io.kvdb.common.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The metrics registry of one kvdb process (leader, follower, gateway): Micrometer's Prometheus
 * registry with Micrometer's standard JVM and process meters bound (memory, GC, threads, class
 * loading, CPU, uptime, open files), so every process exposes those families under the same names.
 * The process adds its own meters to {@link #registry()}.
 */
public final class ProcessMetrics implements AutoCloseable {
  /**
   * The range of every request latency histogram (gRPC calls on the leader and the followers, HTTP
   * requests on the gateway), so that they share their buckets. A Get served from memory takes tens
   * of microseconds; Micrometer's default floor is 1 ms.
   */
  public static final Duration LATENCY_MIN = Duration.of(50, ChronoUnit.MICROS);
  /** The top of the request latency histograms: slower requests count only in +Inf. */
  public static final Duration LATENCY_MAX = Duration.ofSeconds(10);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Listens to the JVM's GC notifications until closed. */
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

  public ProcessMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** Where the process registers its own meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Runs {@code refresh} before every {@link #scrape()}: for meters whose set of series changes
   * while the process runs (one series per follower, say), brought up to date when read.
   */
  public void beforeScrape(Runnable refresh) {
    beforeScrape.add(refresh);
  }

  /** Every meter in the Prometheus text format, version 0.0.4. */
  public String scrape() {
    beforeScrape.forEach(Runnable::run);
    return registry.scrape();
  }

  /** Stops listening to the GC and closes the registry. Safe to call twice. */
  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
