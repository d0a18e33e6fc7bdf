package io.kvdb.gateway;

import static io.kvdb.gateway.GatewayUnderTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvdb.client.testing.FakeFollower;
import io.kvdb.common.net.HostPort;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /v1 routes while the leader is down: reads served from followers in the /v1 form with the
 * headers of {@code /get} and {@code /all}, writes refused with the same 503.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class V1StaleReadsTest {
  private static final int SHARDS = 8; // the test leader's
  @TempDir Path dataDir;

  @Test
  void readsComeStaleFromFollowersAndWritesAre503() throws IOException {
    String key = FakeFollower.keysOfShard(2, SHARDS, "user/", 1).get(0);
    String orphan = FakeFollower.keysOfShard(7, SHARDS, "orphan/", 1).get(0);
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        FakeFollower follower = FakeFollower.onTcp(SHARDS)) {
      for (int shard = 0; shard < 7; shard++) {
        follower.holds(shard, 10L * (shard + 1));
      }
      follower.put(key, "Ada");
      leader.stop();
      try (GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
          .withFollowers(List.of(HostPort.parse("follower", follower.address))))) {
        Reply stale = gateway.get("/v1/kv/" + encode(key));
        assertEquals(200, stale.status(), stale.body());
        assertEquals("{\"key\":\"" + key + "\",\"value\":\"Ada\",\"encoding\":\"utf8\"}",
            V1KvApiTest.withoutVersions(stale));
        assertEquals("true", stale.headers().firstValue("x-kv-stale").orElse(null));
        assertEquals("30", stale.headers().firstValue("x-kv-applied-seq").orElse(null));
        assertEquals("2", stale.headers().firstValue("x-kv-shard").orElse(null));
        assertEquals(follower.address, stale.headers().firstValue("x-kv-follower").orElse(null));

        Reply absent = gateway.get("/v1/kv/" + encode(key + "-absent"));
        assertEquals(404, absent.status(), absent.body());
        assertEquals("Key not found", absent.error());
        assertEquals("true", absent.headers().firstValue("x-kv-stale").orElse(null));

        Reply noHolder = gateway.get("/v1/kv/" + encode(orphan));
        assertEquals(503, noHolder.status(), noHolder.body());
        assertEquals(7, noHolder.json().get("shard").asInt());

        Reply page = gateway.get("/v1/kv?prefix=user/");
        assertEquals(200, page.status(), page.body());
        assertEquals("true", page.headers().firstValue("x-kv-stale").orElse(null));
        assertEquals("7", page.headers().firstValue("x-kv-missing-shards").orElse(null));
        JsonNode items = GatewayUnderTest.JSON.readTree(V1KvApiTest.withoutVersions(page)).get("items");
        assertEquals("[{\"key\":\"" + key + "\",\"value\":\"Ada\",\"encoding\":\"utf8\"}]", items.toString());
        assertTrue(page.json().get("stale").asBoolean());
        assertEquals("[7]", page.json().get("missing_shards").toString());

        for (Reply write : List.of(gateway.put("/v1/kv/" + encode(key), "application/json", "{\"value\": \"lost\"}"),
            gateway.delete("/v1/kv/" + encode(key)))) {
          assertEquals(503, write.status(), write.body());
          assertTrue(write.error().startsWith("leader unreachable at " + leader.address()), write.body());
          assertTrue(write.error().contains("writes are refused while the leader is down"), write.body());
        }
      }
    }
  }
}
