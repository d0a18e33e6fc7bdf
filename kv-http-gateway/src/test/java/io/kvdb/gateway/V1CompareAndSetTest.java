package io.kvdb.gateway;

import static io.kvdb.gateway.GatewayUnderTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions and compare-and-set on the /v1 routes: a key's version in GET, in a page and in a
 * write's reply; {@code "expected_version"} in a PUT's body and {@code ?expected_version=} on a
 * DELETE, with the original endpoints' 409 {@code {"error", "current_version"}} on a mismatch.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class V1CompareAndSetTest {
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

  private static Reply put(String key, String body) {
    return gateway.put("/v1/kv/" + encode(key), "application/json", body);
  }

  @Test
  void theVersionOfAWriteIsTheKeysInGetAndInAPage() {
    long version = put("cas/seen", "{\"value\": \"v\"}").json().get("version").asLong();

    assertTrue(version > 0);
    assertEquals(version, gateway.get("/v1/kv/cas%2Fseen").json().get("version").asLong());
    assertEquals(version, gateway.get("/v1/kv?prefix=cas/seen").json().get("items").get(0).get("version").asLong());
  }

  @Test
  void aPutWithTtlSecondsShowsTheTimeLeftInGetAndAPutWithoutOneClearsIt() {
    Reply put = put("ttl/v1", "{\"value\": \"v\", \"ttl_seconds\": 600}");
    assertEquals(200, put.status(), put.body());

    long left = gateway.get("/v1/kv/ttl%2Fv1").json().get("ttl_remaining_ms").asLong();
    assertTrue(left > 0 && left <= 600_000, "time left: " + left);
    assertEquals(200, put("ttl/v1", "{\"value\": \"w\"}").status());
    assertTrue(gateway.get("/v1/kv/ttl%2Fv1").json().get("ttl_remaining_ms") == null, "no TTL: no field");
    Reply bad = put("ttl/v1", "{\"value\": \"v\", \"ttl_seconds\": 0}");
    assertEquals(400, bad.status(), bad.body());
  }

  @Test
  void aPutWithTheCurrentVersionWinsAndAStaleOneIs409() {
    long first = put("cas/put", "{\"value\": \"1\", \"expected_version\": 0}").json().get("version").asLong();

    Reply second = put("cas/put", "{\"value\": \"2\", \"expected_version\": " + first + "}");
    assertEquals(200, second.status(), second.body());
    long current = second.json().get("version").asLong();
    assertTrue(current > first);

    Reply stale = put("cas/put", "{\"value\": \"3\", \"expected_version\": " + first + "}");
    assertEquals(409, stale.status(), stale.body());
    assertEquals(current, stale.json().get("current_version").asLong(), stale.body());
    assertTrue(!stale.error().isEmpty());
    Reply mustNotExist = put("cas/put", "{\"value\": \"4\", \"expected_version\": 0}");
    assertEquals(409, mustNotExist.status(), mustNotExist.body());
    assertEquals("2", gateway.get("/v1/kv/cas%2Fput").json().get("value").asText(), "nothing written");
  }

  @Test
  void aDeleteWithAStaleVersionIs409AndWithTheCurrentOneDeletes() {
    long version = put("cas/delete", "{\"value\": \"v\"}").json().get("version").asLong();

    Reply stale = gateway.delete("/v1/kv/cas%2Fdelete?expected_version=" + (version - 1));
    assertEquals(409, stale.status(), stale.body());
    assertEquals(version, stale.json().get("current_version").asLong());
    assertEquals(200, gateway.get("/v1/kv/cas%2Fdelete").status(), "still there");
    Reply current = gateway.delete("/v1/kv/cas%2Fdelete?expected_version=" + version);
    assertEquals(200, current.status(), current.body());
    assertEquals(404, gateway.get("/v1/kv/cas%2Fdelete").status());
  }

  @Test
  void aBadExpectedVersionIs400() {
    for (String bad : new String[] {"-1", "\"3\"", "1.5"}) {
      Reply reply = put("cas/bad", "{\"value\": \"v\", \"expected_version\": " + bad + "}");
      assertEquals(400, reply.status(), bad + " -> " + reply.body());
    }
    assertEquals(400, gateway.delete("/v1/kv/cas%2Fbad?expected_version=x").status());
  }
}
