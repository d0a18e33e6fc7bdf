package io.kvdb.compare.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * What the rounds measured, cell by cell, and why a system has no figures (not installed, did not
 * start). A cell's figure is the median over its rounds (rates and each percentile apart); its max
 * is the largest of the rounds', since one stall is what a max is for.
 */
public final class Results {
  private final Map<Row, Map<Column, List<Measurement>>> cells = new EnumMap<>(Row.class);
  private final Map<Row, String> unavailable = new EnumMap<>(Row.class);
  private Optional<LagRun> lagRun = Optional.empty();
  private Optional<ScaleRun> scaleRun = Optional.empty();

  /** Adds one round's run of a cell. */
  public void add(Row row, Column column, Measurement measurement) {
    cells.computeIfAbsent(row, r -> new EnumMap<>(Column.class)).computeIfAbsent(column, c -> new ArrayList<>())
        .add(measurement);
  }

  /** Target 5's run. */
  public void lagRun(LagRun run) {
    lagRun = Optional.of(run);
  }

  /** Target 5's run; empty when it was not made. */
  public Optional<LagRun> lagRun() {
    return lagRun;
  }

  /** Target 6's run. */
  public void scaleRun(ScaleRun run) {
    scaleRun = Optional.of(run);
  }

  /** Target 6's run; empty without {@code --scale}. */
  public Optional<ScaleRun> scaleRun() {
    return scaleRun;
  }

  /** Marks a system as not measured, saying why ("not installed (...)"). */
  public void unavailable(Row row, String why) {
    unavailable.put(row, why);
  }

  /** Why a system was not measured, if it was not. */
  public Optional<String> whyUnavailable(Row row) {
    return Optional.ofNullable(unavailable.get(row));
  }

  /** Every round of a cell, in order; empty when it was not measured. */
  public List<Measurement> rounds(Row row, Column column) {
    return cells.getOrDefault(row, Map.of()).getOrDefault(column, List.of());
  }

  /**
   * The cell's medians, or empty when it has no round that measured something (not run, or every
   * round stopped with every call failing).
   */
  public Optional<Measurement> median(Row row, Column column) {
    List<Measurement> measured = rounds(row, column).stream().filter(m -> m.stopped().isEmpty()).toList();
    if (measured.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Measurement(median(measured, Measurement::opsPerSecond), median(measured, Measurement::p50),
        median(measured, Measurement::p99), median(measured, Measurement::p999),
        measured.stream().mapToDouble(Measurement::max).max().orElse(0),
        measured.stream().mapToLong(Measurement::errors).sum(), Optional.empty()));
  }

  /** Why a cell has no median: the system's reason, the last stop reason, or "not measured". */
  public String whyNoFigure(Row row, Column column) {
    if (unavailable.containsKey(row)) {
      return unavailable.get(row);
    }
    return rounds(row, column).stream().map(Measurement::stopped).flatMap(Optional::stream).reduce((a, b) -> b)
        .map(why -> "failed: " + why).orElse("not measured");
  }

  /** The middle value; of an even count, the mean of the two middle ones. */
  public static <T> double median(List<T> rounds, ToDoubleFunction<? super T> field) {
    double[] values = rounds.stream().mapToDouble(field).toArray();
    Arrays.sort(values);
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }
}
