package io.kvdb.testing;

import java.util.Optional;

/** Reads samples out of a Prometheus text scrape, for tests of /metrics. */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * The value of one sample, such as {@code kvdb_keys} or
   * {@code kvdb_grpc_requests_seconds_count{code="OK",method="kv.v1.KV/Put"}}, labels in the order
   * the registry writes them (sorted by name, a histogram bucket's {@code le} last).
   *
   * @throws AssertionError with the whole scrape when the sample is missing
   */
  public static double value(String scrape, String sample) {
    return find(scrape, sample).orElseThrow(() -> new AssertionError("no sample " + sample + " in:\n" + scrape));
  }

  /** The value of one sample, if the scrape has it. */
  public static Optional<Double> find(String scrape, String sample) {
    String prefix = sample + " ";
    for (String line : scrape.split("\n")) {
      if (line.startsWith(prefix)) {
        return Optional.of(Double.parseDouble(line.substring(prefix.length()).trim().split(" ")[0]));
      }
    }
    return Optional.empty();
  }
}
