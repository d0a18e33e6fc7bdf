package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

/** POST /batch and POST /v1/kv:batch against a real leader: all or nothing, 409, 413, 400. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchHttpApiTest {
  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()).withMaxBodyBytes(1 << 20));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  @Test
  void aGoodBatchWritesEveryOpAndAFailedConditionNothing() {
    long version = gateway.set("acct/a", "100").json().get("version").asLong();
    Reply done = gateway.postJson("/batch", "{\"ops\": [{\"op\": \"put\", \"key\": \"acct/a\", \"value\": \"90\","
        + " \"expected_version\": " + version + "}, {\"op\": \"put\", \"key\": \"acct/b\", \"value\": \"/w==\","
        + " \"encoding\": \"base64\", \"expected_version\": 0}, {\"op\": \"delete\", \"key\": \"acct/none\"}]}");
    assertEquals(200, done.status(), done.body());
    JsonNode results = done.json().get("results");
    assertEquals(3, results.size(), done.body());
    assertEquals(done.json().get("revision").asLong(), results.get(1).get("version").asLong(), done.body());
    assertTrue(results.get(0).get("found").asBoolean() && !results.get(2).get("found").asBoolean(), done.body());
    assertEquals("90", gateway.get("/get/acct%2Fa").json().get("value").asText());
    assertEquals("/w==", gateway.get("/get/acct%2Fb").json().get("value").asText(), "bytes stored as sent");

    long current = results.get(0).get("version").asLong();
    Reply conflict = gateway.postJson("/v1/kv:batch", "{\"ops\": [{\"op\": \"put\", \"key\": \"acct/c\", \"value\":"
        + " \"1\"}, {\"op\": \"delete\", \"key\": \"acct/a\", \"expected_version\": " + (current - 1) + "}]}");
    assertEquals(409, conflict.status(), conflict.body());
    assertEquals(1, conflict.json().get("failed_index").asInt(), conflict.body());
    assertEquals(current, conflict.json().get("current_version").asLong(), conflict.body());
    assertTrue(conflict.error().contains("nothing of the batch was written"), conflict.body());
    assertEquals(404, gateway.get("/get/acct%2Fc").status(), "the batch's first op was not written either");
    assertEquals("90", gateway.get("/get/acct%2Fa").json().get("value").asText());
  }

  @Test
  void refusalsSayWhatIsWrong() {
    Reply twice = gateway.postJson("/batch", "{\"ops\": [{\"op\": \"put\", \"key\": \"t\", \"value\": \"1\"},"
        + " {\"op\": \"delete\", \"key\": \"t\"}]}");
    assertEquals(400, twice.status(), twice.body());
    assertTrue(twice.error().contains("appears twice"), twice.body());

    StringBuilder many = new StringBuilder("{\"ops\": [");
    for (int i = 0; i < 129; i++) {
      many.append(i == 0 ? "" : ",").append("{\"op\": \"put\", \"key\": \"many-").append(i).append("\", \"value\": \"v\"}");
    }
    Reply tooMany = gateway.postJson("/batch", many.append("]}").toString());
    assertEquals(413, tooMany.status(), tooMany.body());
    assertTrue(tooMany.error().contains("--max-batch-ops"), tooMany.body());
    assertEquals(404, gateway.get("/get/many-1").status());

    Reply badOp = gateway.postJson("/batch", "{\"ops\": [{\"op\": \"get\", \"key\": \"t\"}]}");
    assertEquals(400, badOp.status(), badOp.body());
    assertTrue(badOp.error().startsWith("ops[0]: \"op\" must be \"put\" or \"delete\""), badOp.body());
    Reply unknown = gateway.postJson("/batch", "{\"ops\": [{\"op\": \"delete\", \"key\": \"t\", \"value\": \"x\"}]}");
    assertEquals(400, unknown.status(), unknown.body());
    assertTrue(unknown.error().contains("unknown field 'value' in a delete"), unknown.body());
    assertEquals(400, gateway.postJson("/batch", "{\"ops\": {}}").status());
  }

  @Test
  void v1BatchReadsValuesAndRefusesBodiesAsTheOtherV1Routes() {
    String[][] cases = {
      {"\"value\": \"1\", \"encoding\": \"hex\"", "\"encoding\" must be \"utf8\" (the default) or \"base64\""},
      {"\"value\": \"***\", \"encoding\": \"base64\"", "\"value\" is not valid base64"},
      {"\"value\": \"1\", \"ttl_seconds\": 0", "ttl_seconds must be a whole number of seconds >= 1, got 0"},
    };
    for (String[] bad : cases) {
      Reply put = gateway.put("/v1/kv/same", "application/json", "{" + bad[0] + "}");
      Reply batch = gateway.postJson("/v1/kv:batch", "{\"ops\": [{\"op\": \"put\", \"key\": \"same\", " + bad[0] + "}]}");
      assertEquals(400, put.status(), put.body());
      assertEquals(400, batch.status(), batch.body());
      assertTrue(put.error().startsWith(bad[1]), put.body());
      assertEquals("ops[0]: " + put.error(), batch.error(), "the same words for the same mistake");
    }
    assertEquals(404, gateway.get("/v1/kv/same").status(), "nothing refused was stored");

    Reply done = gateway.postJson("/v1/kv:batch", "{\"ops\": [{\"op\": \"put\", \"key\": \"v1/bytes\", \"value\": \"//4=\","
        + " \"encoding\": \"base64\", \"ttl_seconds\": 600}]}");
    assertEquals(200, done.status(), done.body());
    JsonNode item = gateway.get("/v1/kv/v1%2Fbytes").json();
    assertEquals("//4=", item.get("value").asText());
    assertEquals("base64", item.get("encoding").asText());
    long left = item.get("ttl_remaining_ms").asLong();
    assertTrue(left > 0 && left <= 600_000, item.toString());
  }

  @Test
  void theBatchRoutesAreListedInTheDocs() {
    Reply spec = gateway.get("/docs/specification.json");

    assertEquals(200, spec.status());
    assertTrue(spec.body().contains("\"exact:/batch\""), "POST /batch");
    assertTrue(spec.body().contains("\"exact:/v1/kv:batch\""), "POST /v1/kv:batch");
  }
}
