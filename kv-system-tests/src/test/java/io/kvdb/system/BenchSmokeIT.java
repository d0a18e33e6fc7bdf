package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.JavaProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code kv bench} runs for 5 seconds against a packaged leader (gRPC, the table) and
 * gateway (HTTP, with {@code --json}) and reports: a progress line, then the table or the JSON, with
 * calls made and none failed. A smoke test of the tool, not a measurement: no figure is compared
 * with a speed.
 */
@Timeout(180)
class BenchSmokeIT {
  private static final Pattern OPS = Pattern.compile("\"ops\": (\\d+),");
  private static final Pattern TABLE_ALL = Pattern.compile("(?m)^(?:all|put|get) +(\\d+) ");

  @TempDir Path dir;

  @Test
  void benchRunsFiveSecondsOverGrpcAndHttpAndReports() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8")) {
      cluster.startLeader();
      cluster.startGateway();
      String table = smoke("bench-grpc", "--leader", "127.0.0.1:" + cluster.grpcPort, "bench", "--workload", "update",
          "--keys", "1000", "--clients", "4", "--duration", "5");
      assertTrue(table.contains("kv bench: workload ") && table.contains("p99.9 ms"), table);
      Matcher rows = TABLE_ALL.matcher(table);
      assertTrue(rows.find() && Long.parseLong(rows.group(1)) > 0, table);
      String json = smoke("bench-http", "--json", "bench", "--protocol", "http", "--target",
          "127.0.0.1:" + cluster.gatewayPort, "--workload", "read-mostly", "--dist", "zipfian", "--keys", "1000",
          "--clients", "4", "--duration", "5");
      assertFalse(json.contains("p99.9 ms"), "--json prints the JSON instead of the table: " + json);
      Matcher ops = OPS.matcher(json);
      assertTrue(ops.find() && Long.parseLong(ops.group(1)) > 0, json);
      assertTrue(json.contains("\"errors\": 0,") && json.contains("\"stopped\": null"), json);
    }
  }

  /** Runs the packaged CLI with {@code args}; returns its output (stdout and stderr, as logged). */
  private String smoke(String name, String... args) throws Exception {
    try (JavaProcess bench = JavaProcess.start(name, JavaProcess.jarOf("kv-cli"), dir.resolve("logs"), args)) {
      assertTrue(bench.waitFor(Duration.ofSeconds(120)), name + " did not finish:\n" + bench.log());
      String log = bench.logSinceStart();
      assertEquals(0, bench.exitValue(), log);
      assertTrue(log.contains("storing 1000 keys first"), log);
      assertTrue(log.lines().anyMatch(line -> line.startsWith("bench: ") && line.contains("ok/s")), log);
      return log;
    }
  }
}
