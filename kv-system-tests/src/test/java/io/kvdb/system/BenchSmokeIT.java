package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.JavaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code kv bench} runs for 5 seconds against a packaged leader (gRPC) and gateway
 * (HTTP) and reports: a progress line, the table and the JSON, with calls made and none failed. A
 * smoke test of the tool, not a measurement: no figure is compared with a speed.
 */
@Timeout(180)
class BenchSmokeIT {
  private static final Pattern OPS = Pattern.compile("\"ops\": (\\d+),");

  @TempDir Path dir;

  @Test
  void benchRunsFiveSecondsOverGrpcAndHttpAndReports() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8")) {
      cluster.startLeader();
      cluster.startGateway();
      smoke("bench-grpc", "--leader", "127.0.0.1:" + cluster.grpcPort, "bench", "--workload", "update",
          "--keys", "1000", "--clients", "4", "--duration", "5");
      smoke("bench-http", "bench", "--protocol", "http", "--target", "127.0.0.1:" + cluster.gatewayPort,
          "--workload", "read-mostly", "--dist", "zipfian", "--keys", "1000", "--clients", "4", "--duration", "5");
    }
  }

  private void smoke(String name, String... args) throws Exception {
    Path json = dir.resolve(name + ".json");
    String[] withJson = new String[args.length + 2];
    System.arraycopy(args, 0, withJson, 0, args.length);
    withJson[args.length] = "--json";
    withJson[args.length + 1] = json.toString();
    try (JavaProcess bench = JavaProcess.start(name, JavaProcess.jarOf("kv-cli"), dir.resolve("logs"), withJson)) {
      assertTrue(bench.waitFor(Duration.ofSeconds(120)), name + " did not finish:\n" + bench.log());
      String log = bench.logSinceStart();
      assertEquals(0, bench.exitValue(), log);
      assertTrue(log.contains("storing 1000 keys first"), log);
      assertTrue(log.lines().anyMatch(line -> line.startsWith("bench: ") && line.contains("ok/s")), log);
      assertTrue(log.contains("kv bench: workload ") && log.contains("p99.9 ms"), log);
      String report = Files.readString(json);
      Matcher ops = OPS.matcher(report);
      assertTrue(ops.find() && Long.parseLong(ops.group(1)) > 0, report);
      assertTrue(report.contains("\"errors\": 0,") && report.contains("\"stopped\": null"), report);
    }
  }
}
