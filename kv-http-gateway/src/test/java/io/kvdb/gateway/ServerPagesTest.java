package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GET /cluster, the web page, /docs, /health, /metrics and unknown routes. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServerPagesTest {
  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  @Test
  void clusterIsTheLeadersStatusAsJson() {
    gateway.set("counted", "1");

    Reply reply = gateway.get("/cluster");

    assertEquals(200, reply.status());
    JsonNode status = reply.json();
    assertEquals(8, status.get("shards").asInt());
    assertEquals(1, status.get("replication_factor").asInt());
    assertTrue(status.get("leader_id").asText().length() > 8, reply.body());
    assertTrue(status.get("epoch").asLong() >= 1);
    assertTrue(status.get("durable").asBoolean());
    assertTrue(status.get("keys").asLong() >= 1);
    assertTrue(status.get("followers").isArray() && status.get("followers").isEmpty(), reply.body());
    assertEquals(8, status.get("unplaced_shards").size(), "no follower: every shard only on the leader");
    assertEquals(8, status.get("under_replicated_shards").size(), "no follower: no shard has its R=1 copies");
    assertEquals(0, status.get("missing_shards").size(), "a leader that was not rebuilt misses no shard");
  }

  @Test
  void theWebPageAndItsAssetsAreServed() {
    Reply page = gateway.get("/");
    Reply script = gateway.get("/ui/app.js");
    Reply style = gateway.get("/ui/style.css");

    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("id=\"shard-map\""));
    assertTrue(page.body().contains("src=\"ui/app.js\""), "relative URLs only");
    assertTrue(page.body().contains("id=\"watch-feed\""), "the live feed of changes");
    assertEquals(200, script.status());
    assertTrue(script.body().contains("new EventSource('watch')"), "the feed reads GET /watch, relative to the page");
    assertTrue(script.contentType().contains("javascript"), script.contentType());
    for (String host : new String[] {"localhost", "127.0.0.1", ":3000", "fetch('/", "fetch(\"/"}) {
      assertTrue(!script.body().contains(host), "no hard-coded host or absolute path: " + host);
    }
    assertEquals(200, style.status());
  }

  @Test
  void docsDescribeTheGrpcServicesAndTheHttpApi() {
    assertEquals(200, gateway.get("/docs/").status());

    Reply spec = gateway.get("/docs/specification.json");

    assertEquals(200, spec.status());
    assertTrue(spec.body().contains("kv.v1.KV"), "gRPC KV service");
    assertTrue(spec.body().contains("kv.v1.Cluster"), "gRPC Cluster service");
    assertTrue(spec.body().contains("KvHttpApi") && spec.body().contains("/get/:key"), "HTTP API");
  }

  @Test
  void healthIsUp() {
    Reply reply = gateway.get("/health");

    assertEquals(200, reply.status());
    assertTrue(reply.json().get("healthy").asBoolean());
  }

  @Test
  void metricsCountRequestsPerEndpointAndStatus() {
    double before = requests("/get/:key", "404");
    gateway.get("/get/metrics-missing-1");
    gateway.get("/get/metrics-missing-2");

    assertEquals(before + 2, requests("/get/:key", "404"));
    String text = gateway.get("/metrics").body();
    assertTrue(text.contains("kvdb_gateway_total_duration_seconds"), "latencies");
    assertTrue(text.contains("\n# TYPE kvdb_gateway_total_duration_seconds histogram\n"), "latencies as a histogram");
    assertTrue(text.contains(",route=\"/get/:key\",service=\"io.kvdb.gateway.http.KvHttpApi\",le=\"5.0E-5\"}"),
        "over the servers' buckets, from 50 us");
    assertTrue(text.contains("\njvm_memory_used_bytes{"), "the JVM meters every process shows");
    assertTrue(text.contains("\nprocess_uptime_seconds "), "the process meters every process shows");
  }

  /** The kvdb_gateway_requests_total sample of one route and status, 0 when absent. */
  private double requests(String route, String status) {
    Pattern sample = Pattern.compile("^kvdb_gateway_requests_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    double total = 0;
    Matcher m = sample.matcher(gateway.get("/metrics").body());
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("route=\"" + route + "\"") && labels.contains("http_status=\"" + status + "\"")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  @Test
  void anUnknownRouteIsA404Json() {
    Reply reply = gateway.get("/nope");

    assertEquals(404, reply.status());
    assertTrue(reply.contentType().startsWith("application/json"));
    assertTrue(reply.error().contains("no such endpoint"), reply.body());
  }
}
