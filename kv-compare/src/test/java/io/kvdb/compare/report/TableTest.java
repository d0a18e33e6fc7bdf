package io.kvdb.compare.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TableTest {
  private final Results results = new Results();

  private static Measurement m(double rate, double p99, double max, long errors) {
    return new Measurement(rate, p99 / 2, p99, p99 * 2, max, errors, Optional.empty());
  }

  @Test
  void rowsShowTheMedianRateWithItsP99AndBlankCellsForColumnsTheyDoNotHave() {
    results.add(Row.CEILING, Column.HTTP_SET, m(60_000, 1.0, 9, 0));
    results.add(Row.CEILING, Column.HTTP_SET, m(50_000, 3.0, 30, 0));
    results.add(Row.CEILING, Column.HTTP_SET, m(70_000, 2.0, 12, 0));
    results.add(Row.CEILING, Column.HTTP_GET, m(66_822.4, 0.456, 4, 3));
    String table = Table.rates(results, List.of(Row.CEILING));
    assertEquals("""
        | system | HTTP POST /set req/s (p99 ms) | HTTP GET /get req/s (p99 ms) | gRPC put/s (p99 ms) | gRPC get/s (p99 ms) |
        |---|---:|---:|---:|---:|
        | Armeria, constant JSON (the HTTP ceiling) | 60,000 (2.00) | 66,822 (0.46) [3 errors] |  |  |
        """, table);
  }

  @Test
  void theLatencyDetailTakesMediansOfPercentilesAndTheLargestMax() {
    results.add(Row.CEILING, Column.HTTP_SET, m(60_000, 1.0, 9, 0));
    results.add(Row.CEILING, Column.HTTP_SET, m(50_000, 3.0, 30, 0));
    results.add(Row.CEILING, Column.HTTP_SET, m(70_000, 2.0, 12, 0));
    String table = Table.latencies(results, List.of(Row.CEILING));
    assertTrue(table.contains("| Armeria, constant JSON (the HTTP ceiling) | 1.00 / 2.00 / 4.00 / 30.0 |  |  |  |\n"),
        table);
  }

  @Test
  void aSystemThatIsMissingSaysWhyOnceAndHasNoLatencyRow() {
    results.unavailable(Row.REDIS, "not installed (apt-get install etcd-server redis-server)");
    String rates = Table.rates(results, List.of(Row.REDIS));
    assertTrue(rates.endsWith("| Redis, appendfsync always (RESP, not gRPC) |  |  |"
        + " not installed (apt-get install etcd-server redis-server) |  |\n"), rates);
    assertEquals(2, Table.latencies(results, List.of(Row.REDIS)).lines().count());
  }

  @Test
  void aCellWhoseRoundsAllFailedSaysWhy() {
    results.add(Row.KVDB, Column.GRPC_GET, new Measurement(0, 0, 0, 0, 0, 5, Optional.of("every call failed")));
    assertTrue(Table.rates(results, List.of(Row.KVDB)).contains("| failed: every call failed |"));
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    results.add(Row.KVDB, Column.HTTP_SET, m(100, 1, 1, 0));
    results.add(Row.KVDB, Column.HTTP_SET, m(300, 1, 1, 0));
    assertEquals(200, results.median(Row.KVDB, Column.HTTP_SET).orElseThrow().opsPerSecond());
  }
}
