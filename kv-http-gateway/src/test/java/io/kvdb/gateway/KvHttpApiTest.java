package io.kvdb.gateway;

import static io.kvdb.gateway.GatewayUnderTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /set, GET /get/:key, DELETE /delete/:key against a real leader, success and failure. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KvHttpApiTest {
  /** Small limits so that "too large" is cheap to provoke: keys up to 64 bytes, values up to 1 KiB. */
  static final Limits LIMITS = new Limits(64, 1024, 64 << 10, 100, 1000);
  /** The gateway's own body limit, above the leader's value limit so both can be hit separately. */
  static final long MAX_BODY = 4096;

  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(dataDir, LIMITS);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()).withMaxBodyBytes(MAX_BODY));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  @Test
  void setReplySaysWhereTheWriteWent() {
    Reply reply = gateway.set("where", "there");

    assertEquals(200, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    JsonNode json = reply.json();
    assertEquals("where", json.get("key").asText());
    assertTrue(json.get("shard").isInt() && json.get("shard").asInt() >= 0 && json.get("shard").asInt() < 8, reply.body());
    assertTrue(json.get("seq").asLong() >= 1, reply.body());
    assertTrue(json.get("followers").isArray() && json.get("followers").isEmpty(), "no follower yet: " + reply.body());
    assertTrue(json.get("epoch").asLong() >= 1, reply.body());
  }

  @Test
  void setThenGetReturnsTheValue() {
    gateway.set("greeting", "hello world");

    Reply reply = gateway.get("/get/greeting");

    assertEquals(200, reply.status());
    long version = leader.kv().get(GetRequest.newBuilder().setKey("greeting").build()).getVersion();
    assertEquals("{\"key\":\"greeting\",\"value\":\"hello world\",\"version\":" + version + "}", reply.body());
  }

  @Test
  void setOverwritesAndTheShardsSeqGrows() {
    long first = gateway.set("counter", "1").json().get("seq").asLong();
    long second = gateway.set("counter", "2").json().get("seq").asLong();

    assertEquals(first + 1, second);
    assertEquals("2", gateway.get("/get/counter").json().get("value").asText());
  }

  @Test
  void emptyValueIsAValue() {
    assertEquals(200, gateway.set("empty-value", "").status());

    assertEquals("", gateway.get("/get/empty-value").json().get("value").asText());
  }

  @Test
  void getOfAMissingKeyIs404WithTheOriginalBody() {
    Reply reply = gateway.get("/get/never-written");

    assertEquals(404, reply.status());
    assertEquals("{\"error\":\"Key not found\"}", reply.body());
    assertTrue(reply.contentType().startsWith("application/json"));
  }

  @Test
  void deleteRemovesTheKeyAndSaysWhere() {
    JsonNode set = gateway.set("doomed", "x").json();

    Reply reply = gateway.delete("/delete/doomed");

    assertEquals(200, reply.status(), reply.body());
    JsonNode json = reply.json();
    assertEquals("doomed", json.get("key").asText());
    assertTrue(json.get("deleted").asBoolean());
    assertEquals(set.get("shard").asInt(), json.get("shard").asInt());
    assertEquals(set.get("seq").asLong() + 1, json.get("seq").asLong());
    assertTrue(json.get("followers").isArray());
    assertEquals(404, gateway.get("/get/doomed").status());
  }

  @Test
  void aCredentialOfAnotherSchemeIsServedByAnOpenLeader() {
    // A proxy in front may add Basic auth; the gateway keeps it (see CallerAuthTest) and refuses nothing.
    Reply reply = gateway.send(HttpRequest.newBuilder(gateway.uri("/get/" + encode("absent/basic")))
        .header("Authorization", "Basic dXNlcjpwYXNzd29yZA==").GET());

    assertEquals(404, reply.status(), reply.body());
  }

  @Test
  void deleteOfAMissingKeyIs404WithTheOriginalBody() {
    Reply reply = gateway.delete("/delete/never-written");

    assertEquals(404, reply.status());
    assertEquals("{\"error\":\"Key not found\"}", reply.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"with space", "a/b", "what?", "100%", "#hash", "a+b", "semi;colon", "q=1&r=2",
      "ünïcødé ключ 鍵", "emoji 🔑", "tab\there", "%2F literal", "trailing/", "~tilde'quote\"", "\\back"})
  void awkwardKeysRoundTripWhenUrlEncoded(String key) {
    String value = "value of " + key;
    Reply set = gateway.set(key, value);
    assertEquals(200, set.status(), set.body());
    assertEquals(key, set.json().get("key").asText());

    Reply got = gateway.get("/get/" + encode(key));
    assertEquals(200, got.status(), got.body());
    assertEquals(key, got.json().get("key").asText());
    assertEquals(value, got.json().get("value").asText());

    // The same key through the leader's own API: the gateway stored exactly these UTF-8 bytes.
    assertEquals(ByteString.copyFromUtf8(value), leader.kv().get(GetRequest.newBuilder().setKey(key).build()).getValue());

    Reply deleted = gateway.delete("/delete/" + encode(key));
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals(404, gateway.get("/get/" + encode(key)).status());
  }

  @Test
  void aValueThatIsNotUtf8IsReturnedAsBase64() {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0, 'a', (byte) 0xc3};
    leader.kv().put(PutRequest.newBuilder().setKey("binary").setValue(ByteString.copyFrom(bytes)).build());

    JsonNode json = gateway.get("/get/binary").json();

    assertEquals("base64", json.get("encoding").asText());
    assertEquals(Base64.getEncoder().encodeToString(bytes), json.get("value").asText());
  }

  @Test
  void aBase64ValueIsStoredAsItsBytes() {
    byte[] bytes = {(byte) 0x80, 1, 2, (byte) 0xff};
    String body = "{\"key\":\"bytes-in\",\"value\":\"" + Base64.getEncoder().encodeToString(bytes)
        + "\",\"encoding\":\"base64\"}";

    assertEquals(200, gateway.postJson("/set", body).status());

    assertEquals(ByteString.copyFrom(bytes),
        leader.kv().get(GetRequest.newBuilder().setKey("bytes-in").build()).getValue());
    assertEquals(Base64.getEncoder().encodeToString(bytes), gateway.get("/get/bytes-in").json().get("value").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"value\":\"v\"}",                              // missing key
      "{\"key\":\"\",\"value\":\"v\"}",                 // empty key
      "{\"key\":7,\"value\":\"v\"}",                    // key not a string
      "{\"key\":\"k\"}",                                // missing value
      "{\"key\":\"k\",\"value\":42}",                   // value a number
      "{\"key\":\"k\",\"value\":null}",                 // value null
      "{\"key\":\"k\",\"value\":{\"a\":1}}",            // value an object
      "{\"key\":\"k\",\"value\":[\"a\"]}",              // value an array
      "{\"key\":\"k\",\"value\":true}",                 // value a boolean
      "{\"key\":\"k\",\"value\":\"v\"",                 // truncated JSON
      "{key:\"k\",\"value\":\"v\"}",                    // not JSON
      "[\"k\",\"v\"]",                                  // not an object
      "\"just a string\"",                              // not an object
      "{\"key\":\"k\",\"value\":\"v\"} trailing",       // trailing garbage
      "{\"key\":\"a\",\"key\":\"b\",\"value\":\"v\"}",  // duplicate field
      "{\"key\":\"k\",\"vaule\":\"v\"}",                // misspelt field
      "{\"key\":\"k\",\"value\":\"v\",\"encoding\":\"hex\"}",
      "{\"key\":\"k\",\"value\":\"not base64!\",\"encoding\":\"base64\"}",
      "{\"key\":\"\\ud800\",\"value\":\"v\"}",          // lone surrogate in the key
      "{\"key\":\"k\",\"value\":\"\\udc00x\"}",         // lone surrogate in the value
      "{\"key\":\"k\",\"value\":\"v\",\"expected_version\":-1}",      // a negative version
      "{\"key\":\"k\",\"value\":\"v\",\"expected_version\":\"7\"}",     // a version as a string
      "{\"key\":\"k\",\"value\":\"v\",\"expected_version\":1.5}",     // not a whole number
      ""})                                              // empty body
  void badBodiesAre400WithAJsonError(String body) {
    Reply reply = gateway.postJson("/set", body);

    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    assertFalse(reply.error().isBlank());
    assertEquals(404, gateway.get("/get/k").status(), "nothing was stored, and the gateway still serves");
  }

  @Test
  void compareAndSetAnswers409WithTheCurrentVersionAndWritesNothing() {
    Reply created = gateway.postJson("/set", "{\"key\":\"cas\",\"value\":\"1\",\"expected_version\":0}");
    assertEquals(200, created.status(), created.body());
    long version = created.json().get("version").asLong();
    assertTrue(version > 0, created.body());
    assertEquals("{\"key\":\"cas\",\"value\":\"1\",\"version\":" + version + "}", gateway.get("/get/cas").body());

    Reply conflict = gateway.postJson("/set", "{\"key\":\"cas\",\"value\":\"2\",\"expected_version\":" + (version - 1) + "}");
    assertEquals(409, conflict.status(), conflict.body());
    assertEquals(version, conflict.json().get("current_version").asLong());
    assertTrue(conflict.error().startsWith("version mismatch on cas: "), conflict.body());
    Reply missing = gateway.delete("/delete/nothing-here?expected_version=4");
    assertEquals(409, missing.status(), missing.body());
    assertEquals(0, missing.json().get("current_version").asLong(), "0: no such key");
    assertEquals(400, gateway.delete("/delete/cas?expected_version=x").status());

    Reply updated = gateway.postJson("/set", "{\"key\":\"cas\",\"value\":\"2\",\"expected_version\":" + version + "}");
    assertEquals(200, updated.status(), updated.body());
    long next = updated.json().get("version").asLong();
    assertTrue(next > version);
    Reply deleted = gateway.delete("/delete/cas?expected_version=" + next);
    assertEquals(200, deleted.status(), deleted.body());
    assertTrue(deleted.json().get("version").asLong() > next, deleted.body());
    assertEquals(404, gateway.get("/get/cas").status());
  }

  @Test
  void wrongOrMissingContentTypeIs400() {
    String body = "{\"key\":\"typed\",\"value\":\"v\"}";

    Reply text = gateway.post("/set", "text/plain", body);
    Reply form = gateway.post("/set", "application/x-www-form-urlencoded", body);
    Reply none = gateway.post("/set", null, body);

    for (Reply reply : new Reply[] {text, form, none}) {
      assertEquals(400, reply.status(), reply.body());
      assertTrue(reply.error().contains("Content-Type must be application/json"), reply.body());
    }
    assertEquals(404, gateway.get("/get/typed").status());
    assertEquals(200, gateway.post("/set", "application/json; charset=utf-8", body).status());
  }

  @Test
  void aBodyOverTheGatewayLimitIs400() {
    String value = "x".repeat((int) MAX_BODY);

    Reply reply = gateway.set("big-body", value);

    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.error().contains("--max-body-bytes"), reply.body());
    assertEquals(200, gateway.set("after-big-body", "ok").status(), "the gateway keeps serving");
  }

  @Test
  void aValueOverTheLeadersLimitIs413() {
    Reply reply = gateway.set("big-value", "x".repeat(LIMITS.maxValueBytes() + 1));

    assertEquals(413, reply.status(), reply.body());
    assertTrue(reply.error().contains("--max-value-bytes"), reply.body());
    assertEquals(404, gateway.get("/get/big-value").status());
  }

  @Test
  void aKeyOverTheLeadersLimitIs413() {
    String key = "k".repeat(LIMITS.maxKeyBytes() + 1);

    assertEquals(413, gateway.set(key, "v").status());
    assertEquals(413, gateway.get("/get/" + key).status());
  }

  @Test
  void waitingForMoreAcksThanCopiesIs400FromTheLeader() {
    Reply reply = gateway.postJson("/set?min_acks=2", "{\"key\":\"acked\",\"value\":\"v\"}");

    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.error().contains("min_acks"), reply.body());
    assertEquals(400, gateway.delete("/delete/acked?min_acks=2").status());
  }

  @Test
  void badQueryParametersAre400() {
    assertEquals(400, gateway.postJson("/set?min_acks=lots", "{\"key\":\"q\",\"value\":\"v\"}").status());
    assertEquals(400, gateway.postJson("/set?min_acks=-1", "{\"key\":\"q\",\"value\":\"v\"}").status());
    assertEquals(400, gateway.postJson("/set?colour=red", "{\"key\":\"q\",\"value\":\"v\"}").status());
    assertEquals(400, gateway.get("/get/q?x=1").status());
    assertEquals(404, gateway.get("/get/q").status(), "none of them was stored");
  }

  @Test
  void aPathKeyThatIsNotUtf8Is400() {
    Reply reply = gateway.get("/get/%FF%FE");

    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.error().contains("UTF-8"), reply.body());
  }

  @Test
  void aQueryEscapeThatIsNotUtf8Is400ButARealReplacementCharacterIsListed() {
    gateway.set("\uFFFDreplacement", "stored through the body");

    Reply broken = gateway.get("/all?prefix=%FF");
    Reply real = gateway.get("/all?prefix=%EF%BF%BD");

    assertEquals(400, broken.status(), broken.body());
    assertTrue(broken.error().contains("UTF-8"), broken.body());
    assertEquals(200, real.status(), real.body());
    assertTrue(real.body().contains("stored through the body"), real.body());
  }

  @Test
  void keysThatAUrlCannotCarryAre400Not404() {
    gateway.set("..", "dots");

    Reply dots = gateway.get("/get/%2E%2E");
    Reply nul = gateway.get("/get/a%00b");

    assertEquals(400, dots.status(), dots.body());
    assertEquals(400, nul.status(), nul.body());
  }

  @Test
  void aKeyWithAnUnencodedSlashIsNoRouteAndSaysHowToEncode() {
    Reply reply = gateway.get("/get/a/b");

    assertEquals(404, reply.status());
    assertTrue(reply.error().contains("%2F"), reply.body());
  }

  @Test
  void wrongMethodIs405Json() {
    Reply reply = gateway.get("/set");

    assertEquals(405, reply.status());
    assertTrue(reply.error().startsWith("method not allowed"), reply.body());
  }
}
