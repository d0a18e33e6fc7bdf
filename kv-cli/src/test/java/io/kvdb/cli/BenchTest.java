package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.common.net.HostPort;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.gateway.GatewayMain;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.config.HttpsCertificate;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import io.kvdb.testing.TestCertificates;
import io.kvdb.cli.bench.Bench;
import io.kvdb.cli.bench.HttpAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kv bench} against a real leader in this JVM over TCP, and a real gateway for HTTP. The
 * assertions are about what was done and reported (counts, fields, codes), never about speed.
 */
@Timeout(180)
class BenchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static LeaderServer leader;
  private static FollowerServer follower;
  private static Server gateway;


  @BeforeAll
  static void start() throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    follower = new FollowerServer(FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    awaitLiveFollower();
    gateway = GatewayMain.newServer(GatewayConfig.forTest(new HostPort("127.0.0.1", leader.grpcPort())));
    gateway.start().join();
  }

  @AfterAll
  static void stop() {
    gateway.stop().join();
    follower.stop();
    leader.stop();
  }

  /** The lag the bench reports is that of live followers: wait (bounded) until the leader lists one. */
  private static void awaitLiveFollower() throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (KvClient client = KvClient.connect(leaderAddress(), KvOptions.DEFAULT)) {
      while (client.status().getFollowersList().stream().noneMatch(FollowerInfo::getAlive)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no live follower within 60 s: " + client.status());
        }
        Thread.sleep(50);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"load, uniform", "load, zipfian", "read, uniform", "read, zipfian", "update, uniform",
      "update, zipfian", "read-mostly, uniform", "read-mostly, zipfian"})
  void everyWorkloadAndDistributionRunsItsOpsOverGrpc(String workload, String dist) throws Exception {
    Result run = kv(leaderAddress(), "--json", "bench", "--workload", workload, "--dist", dist, "--keys", "100",
        "--ops", "400", "--clients", "4", "--value-bytes", "64");
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode report = JSON.readTree(run.out());
    assertEquals(400, report.get("ops").asLong(), "exactly --ops calls are measured");
    assertEquals(0, report.get("errors").asLong(), run.out());
    long gets = opsOf(report, "get");
    long puts = opsOf(report, "put");
    switch (workload) {
      case "load" -> assertEquals(List.of(0L, 400L), List.of(gets, puts));
      case "read" -> assertEquals(List.of(400L, 0L), List.of(gets, puts));
      case "update" -> assertTrue(gets > 100 && puts > 100, "about half each: " + gets + " gets, " + puts + " puts");
      default -> assertTrue(gets > 300 && puts > 0, "95% gets: " + gets + " gets, " + puts + " puts");
    }
    assertEquals(workload, report.get("workload").asText());
    assertEquals(dist, report.get("dist").asText());
    assertTrue(run.err().contains(workload.equals("load") ? "" : "storing 100 keys first"), run.err());
  }

  @Test
  void loadWritesDistinctKeysWithRandomValues() {
    Result run = kv(leaderAddress(), "bench", "--workload", "load", "--ops", "50", "--clients", "2", "--value-bytes",
        "100", "--seed", "7");
    assertEquals(0, run.code(), run.err());
    try (KvClient client = KvClient.connect(leaderAddress(), KvOptions.DEFAULT)) {
      for (int n : new int[] {0, 49}) {
        ByteString value = client.get("bench/" + n).orElseThrow();
        assertEquals(100, value.size());
        long distinct = value.toByteArray().length == 0 ? 0
            : new String(value.toByteArray(), StandardCharsets.ISO_8859_1).chars().distinct().count();
        assertTrue(distinct > 30, "random bytes, not a run of one byte: " + distinct + " distinct");
      }
    }
  }

  @Test
  void sessionRunsGetsAndPutsOnTheSessionStreamAndSaysSo() throws Exception {
    Result run = kv(leaderAddress(), "--json", "bench", "--session", "--workload", "update", "--keys", "50", "--ops",
        "300", "--clients", "4");
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode report = JSON.readTree(run.out());
    assertTrue(report.get("session").asBoolean(), run.out());
    assertEquals(300, report.get("ops").asLong(), run.out());
    assertEquals(0, report.get("errors").asLong(), run.out());
    assertTrue(opsOf(report, "get") > 0 && opsOf(report, "put") > 0, run.out());

    Result table = kv(leaderAddress(), "bench", "--session", "--workload", "load", "--ops", "20", "--clients", "2");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().lines().findFirst().orElseThrow().contains("grpc " + leaderAddress() + " (Session stream)"),
        table.out());
    Result unary = kv(leaderAddress(), "--json", "bench", "--workload", "load", "--ops", "20", "--clients", "2");
    assertEquals(0, unary.code(), unary.err());
    assertTrue(!JSON.readTree(unary.out()).get("session").asBoolean(), unary.out());
    Result http = kv(leaderAddress(), "bench", "--session", "--protocol", "http", "--ops", "5");
    assertEquals(2, http.code(), http.out() + http.err());
    assertTrue(http.err().contains("--session is for --protocol grpc only"), http.err());
  }

  @Test
  void sessionDialsItsOwnClientOnTheSessionStreamEvenForTheLeadersAddress() {
    List<Boolean> dialled = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (KvClient leaderClient = KvClient.connect(leaderAddress(), KvOptions.DEFAULT)) {
      Bench bench = new Bench(leaderClient, leaderAddress(), (address, session) -> {
        dialled.add(session);
        return KvClient.connect(address, KvOptions.DEFAULT.withSession(session));
      }, new HttpAccess(Optional.empty(), Optional.empty(), false), new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      assertEquals(0, bench.run(List.of("--workload", "load", "--ops", "10", "--clients", "2"), false));
      assertEquals(List.of(), dialled, "unary calls share the CLI's client of --leader");
      assertEquals(0, bench.run(List.of("--session", "--workload", "load", "--ops", "10", "--clients", "2"), false));
      assertEquals(List.of(true), dialled, "a client of its own, on the Session stream");
    }
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("(Session stream)"), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void httpAgainstTheGatewayReportsTheSameFigures() throws Exception {
    Result run = kv(leaderAddress(), "bench", "--protocol", "http", "--target", "127.0.0.1:" + gateway.activeLocalPort(),
        "--workload", "update", "--dist", "zipfian", "--keys", "50", "--duration", "2.5", "--clients", "4", "--json");
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode report = JSON.readTree(run.out());
    assertEquals("http", report.get("protocol").asText());
    assertTrue(report.get("ops").asLong() > 0, report.toString());
    assertTrue(report.get("replication_lag_ms").get("samples").asLong() >= 1, "lag from GET /cluster: " + report);
    assertTrue(report.get("replication_lag_histogram_ms").get("count").asLong() >= 1,
        "the leader's histogram from GET /cluster: " + report);
    assertEquals(0, report.get("errors").asLong(), run.out());
    assertTrue(opsOf(report, "get") > 0 && opsOf(report, "put") > 0, report.toString());
    assertEquals("127.0.0.1:" + gateway.activeLocalPort(), report.get("target").asText());
  }

  @Test
  void httpsWithTheClientsTlsFlagsAndToken() throws Exception {
    TestCertificates.Pem cert = TestCertificates.selfSigned(dir, "gateway");
    Server https = GatewayMain.newServer(GatewayConfig.forTest(new HostPort("127.0.0.1", leader.grpcPort()))
        .withHttps(HttpsCertificate.load(cert.cert().toString(), cert.key().toString())));
    https.start().join();
    try {
      String target = "127.0.0.1:" + https.activeLocalPort();
      Result run = kv(leaderAddress(), "--tls-ca", cert.cert().toString(), "bench", "--protocol", "http", "--target",
          target, "--workload", "load", "--ops", "40", "--clients", "2");
      assertEquals(0, run.code(), run.out() + run.err());
      assertTrue(run.out().contains("https " + target) && run.out().lines().anyMatch(l -> l.matches("put +40 .*")),
          run.out());
      Result plain = kv(leaderAddress(), "bench", "--protocol", "http", "--target", target, "--workload", "load",
          "--duration", "30", "--clients", "1");
      assertEquals(3, plain.code(), "plain HTTP to an HTTPS-only port fails every call: " + plain.out());
      assertTrue(plain.out().contains("errors by code: "), plain.out());
    } finally {
      https.stop().join();
    }
  }

  @Test
  void theTableShowsTheRunsFiguresAndTheReplicationLag() {
    Result run = kv(leaderAddress(), "bench", "--workload", "read-mostly", "--keys", "20", "--duration", "1.5",
        "--clients", "2");
    assertEquals(0, run.code(), run.out() + run.err());
    assertTrue(run.out().startsWith("kv bench: workload read-mostly, uniform over 20 keys, "), run.out());
    assertTrue(run.out().lines().anyMatch(line -> line.matches("get +\\d+ .*")), run.out());
    assertTrue(run.out().lines().anyMatch(line -> line.matches("all +\\d+ .*")), run.out());
    assertTrue(run.out().contains("replication lag (live followers' lag_ms, "), run.out());
    assertTrue(run.out().contains("replication lag at the leader (kv_replication_lag_ms, its last 60 s, "), run.out());
  }

  @Test
  void jsonHoldsEveryFigureOfTheTable() throws Exception {
    Result run = kv(leaderAddress(), "--json", "bench", "--workload", "read-mostly", "--keys", "20", "--duration",
        "2.5", "--warmup", "0.5", "--clients", "2");
    assertEquals(0, run.code(), run.out() + run.err());
    JsonNode report = JSON.readTree(run.out());
    assertTrue(JSON.readerFor(JsonNode.class).readValues(run.out()).readAll().size() == 1,
        "stdout holds the one document, no table: " + run.out());
    for (String field : List.of("workload", "dist", "keys", "value_bytes", "clients", "protocol", "session", "target",
        "warmup_s",
        "seconds", "ops", "ops_per_s", "errors", "operations", "errors_by_code", "replication_lag_ms", "stopped")) {
      assertTrue(report.has(field), "field " + field + " in " + report);
    }
    assertEquals("read-mostly", report.get("workload").asText());
    assertTrue(report.get("stopped").isNull());
    assertTrue(report.get("seconds").asDouble() >= 2.5, "measured for --duration: " + report.get("seconds"));
    JsonNode lag = report.get("replication_lag_ms");
    assertTrue(lag.get("samples").asLong() >= 1 && lag.get("p50").asLong() <= lag.get("max").asLong(), lag.toString());
    JsonNode histogram = report.get("replication_lag_histogram_ms");
    assertTrue(histogram.get("count").asLong() >= 1 && histogram.get("window_s").asLong() == 60
        && histogram.get("p50").asDouble() <= histogram.get("p99").asDouble()
        && histogram.get("p99").asDouble() <= histogram.get("p999").asDouble()
        && histogram.get("p999").asDouble() <= histogram.get("max").asDouble(), "the leader's histogram: " + histogram);
    long total = 0;
    for (String op : List.of("get", "put")) {
      JsonNode stats = report.get("operations").get(op);
      JsonNode latency = stats.get("latency_ms");
      double p50 = latency.get("p50").asDouble();
      double p99 = latency.get("p99").asDouble();
      double p999 = latency.get("p99_9").asDouble();
      double max = latency.get("max").asDouble();
      assertTrue(0 < p50 && p50 <= p99 && p99 <= p999 && p999 <= max, op + ": " + latency);
      assertTrue(stats.has("ops_per_s") && stats.get("errors").isObject(), stats.toString());
      total += stats.get("ops").asLong();
    }
    assertEquals(report.get("ops").asLong(), total, "the operations add up to the total: " + report);
    assertTrue(run.err().lines().anyMatch(line -> line.startsWith("bench: ") && line.contains("ok/s")),
        "a progress line on stderr: " + run.err());
  }

  @Test
  void everyCallRefusedIsCountedByCodeThenTheRunStopsWithExit3() throws Exception {
    GrpcSecurity security = new GrpcSecurity(Optional.empty(),
        Optional.of(BearerTokens.of(Map.of("bench-writer-token-0123456789", Role.WRITE))));
    LeaderServer secured = new LeaderServer(
        LeaderConfig.forTest(dir.resolve("secured")).withSecurity(security, Optional.empty()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), security.credentials()));
    secured.start();
    try {
      String address = "127.0.0.1:" + secured.grpcPort();
      Result run = kv(address, "bench", "--workload", "load", "--duration", "60", "--clients", "2", "--json");
      assertEquals(3, run.code(), run.out() + run.err());
      assertTrue(run.err().contains("every call failed for 5 s; the last: UNAUTHENTICATED"), run.err());
      JsonNode report = JSON.readTree(run.out());
      assertEquals(0, report.get("ops").asLong());
      long refused = report.get("errors_by_code").get("UNAUTHENTICATED").asLong();
      assertTrue(refused > 0 && refused == report.get("errors").asLong(), report.toString());
      assertTrue(report.get("stopped").asText().contains("UNAUTHENTICATED"), report.toString());
      assertTrue(report.get("replication_lag_ms").isNull(), "no follower, and status refused: " + report);

      Result read = kv(address, "bench", "--workload", "read", "--keys", "30", "--ops", "10");
      assertEquals(3, read.code(), read.err());
      assertTrue(read.err().contains("30 puts failed {UNAUTHENTICATED=30}"), read.err());
      Result readJson = kv(address, "--json", "bench", "--workload", "read", "--keys", "30", "--ops", "10");
      assertEquals(3, readJson.code(), readJson.out() + readJson.err());
      JsonNode stopped = JSON.readTree(readJson.out());
      assertEquals("BENCH_STOPPED", stopped.get("code").asText(), readJson.out());
      assertTrue(stopped.get("error").asText().contains("30 puts failed {UNAUTHENTICATED=30}"), readJson.out());

      Result withToken = kv(address, "--token", "bench-writer-token-0123456789", "bench", "--workload", "load",
          "--ops", "20");
      assertEquals(0, withToken.code(), withToken.err());
    } finally {
      secured.stop();
    }
  }

  @Test
  void badFlagsAreUsageErrors() {
    for (List<String> flags : List.of(List.of("--duration", "1", "--ops", "5"), List.of("--workload", "scan"),
        List.of("--dist", "gaussian"), List.of("--protocol", "ftp"), List.of("--clients", "0"), List.of("--ops", "0"),
        List.of("--keys", "x"), List.of("--frobnicate", "1"), List.of("--target", "nohost"))) {
      List<String> args = new ArrayList<>(List.of("bench"));
      args.addAll(flags);
      Result run = kv(leaderAddress(), args.toArray(String[]::new));
      assertEquals(2, run.code(), flags + ": " + run.err());
      assertTrue(run.err().startsWith("kv: bench: "), flags + ": " + run.err());
    }
    Result json = kv(leaderAddress(), "--json", "bench", "--workload", "scan");
    assertEquals(2, json.code(), json.out() + json.err());
    assertEquals("", json.err(), "with --json the error is on stdout alone");
    JsonNode error = readTree(json.out());
    assertEquals("USAGE", error.get("code").asText());
    assertTrue(error.get("error").asText().startsWith("bench: --workload must be one of "), json.out());
    Result file = kv(leaderAddress(), "bench", "--json", "report.json");
    assertEquals(2, file.code(), file.out());
    assertTrue(readTree(file.out()).get("error").asText().endsWith("(--json takes no file: the report goes to stdout as"
        + " JSON; redirect it, > FILE)"), file.out());
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static long opsOf(JsonNode report, String op) {
    JsonNode stats = report.get("operations").get(op);
    return stats == null ? 0 : stats.get("ops").asLong();
  }

  private static String leaderAddress() {
    return "127.0.0.1:" + leader.grpcPort();
  }

  private static Result kv(String leaderAddress, String... args) {
    return CliRun.run(CliRun.withLeader(leaderAddress, args));
  }
}
