package io.kvdb.core.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A small registry rendered in the Prometheus text format: counters and gauges, each a name plus
 * an optional label set. Enough for a process's own figures without a metrics library.
 */
public final class Metrics {
  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  private record Family(String name, String type, String help, Map<String, Object> series) {}

  /** A counter; {@code labels} is empty or Prometheus label text such as {@code method="put"}. */
  public LongAdder counter(String name, String help, String labels) {
    return (LongAdder) family(name, "counter", help).series().computeIfAbsent(labels, l -> new LongAdder());
  }

  /** A gauge read when scraped. */
  public void gauge(String name, String help, String labels, DoubleSupplier value) {
    family(name, "gauge", help).series().put(labels, value);
  }

  private Family family(String name, String type, String help) {
    return families.computeIfAbsent(name, n -> new Family(n, type, help, new ConcurrentSkipListMap<>()));
  }

  /** The Prometheus text exposition of every series. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Family family : families.values()) {
      out.append("# HELP ").append(family.name()).append(' ').append(family.help()).append('\n');
      out.append("# TYPE ").append(family.name()).append(' ').append(family.type()).append('\n');
      family.series().forEach((labels, series) -> {
        double value = series instanceof LongAdder adder ? adder.sum() : ((DoubleSupplier) series).getAsDouble();
        out.append(family.name());
        if (!labels.isEmpty()) {
          out.append('{').append(labels).append('}');
        }
        out.append(' ').append(format(value)).append('\n');
      });
    }
    return out.toString();
  }

  private static String format(double value) {
    return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
