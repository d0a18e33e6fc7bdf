package io.kvdb.gateway;

import static io.kvdb.gateway.GatewayUnderTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON API under /v1 against a real leader: the routes, both encodings, keys that need
 * percent-encoding, and errors with the original endpoints' status codes and bodies.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class V1KvApiTest {
  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(dataDir, KvHttpApiTest.LIMITS);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
        .withMaxBodyBytes(KvHttpApiTest.MAX_BODY));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  static Reply put(String key, String body) {
    return put("/v1/kv/" + encode(key), "application/json", body);
  }

  static Reply put(String pathAndQuery, String contentType, String body) {
    return gateway.put(pathAndQuery, contentType, body);
  }

  /**
   * The body without the keys' {@code version} (of the item, or of each item of a page): what the
   * exact comparisons are about. Versions are checked on their own.
   */
  static String withoutVersions(Reply reply) {
    JsonNode json = reply.json();
    if (json instanceof ObjectNode object) {
      object.remove("version");
      object.path("items").forEach(item -> ((ObjectNode) item).remove("version"));
    }
    return json.toString();
  }

  static String valueBody(String value) {
    return GatewayUnderTest.JSON.createObjectNode().put("value", value).toString();
  }

  @Test
  void putThenGetReturnsTheValueAsUtf8Text() {
    Reply written = put("greeting", "{\"value\": \"hello world\"}");

    assertEquals(200, written.status(), written.body());
    Reply reply = gateway.get("/v1/kv/greeting");
    assertEquals(200, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    assertEquals("{\"key\":\"greeting\",\"value\":\"hello world\",\"encoding\":\"utf8\"}", withoutVersions(reply));
    // The field order of the reply: key, value, encoding, then what the contract adds (the version).
    assertTrue(reply.body().startsWith("{\"key\":\"greeting\",\"value\":\"hello world\",\"encoding\":\"utf8\""),
        reply.body());
    assertEquals(written.json().get("version"), reply.json().get("version"), "the version of the write, when there is one");
  }

  @Test
  void putRepliesAsPostSetDoes() {
    JsonNode v1 = put("where-v1", valueBody("x")).json();
    JsonNode original = gateway.set("where-v1", "y").json();

    List<String> v1Fields = new ArrayList<>();
    v1.fieldNames().forEachRemaining(v1Fields::add);
    List<String> originalFields = new ArrayList<>();
    original.fieldNames().forEachRemaining(originalFields::add);
    assertEquals(originalFields, v1Fields);
    assertEquals("where-v1", v1.get("key").asText());
    assertEquals(original.get("shard"), v1.get("shard"));
    assertEquals(v1.get("seq").asLong() + 1, original.get("seq").asLong());
  }

  @Test
  void aValueThatIsNotUtf8IsBase64AndBase64IsStoredAsBytes() {
    byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0, 'a'};
    leader.kv().put(PutRequest.newBuilder().setKey("binary").setValue(ByteString.copyFrom(bytes)).build());

    Reply reply = gateway.get("/v1/kv/binary");

    assertEquals("{\"key\":\"binary\",\"value\":\"//4AYQ==\",\"encoding\":\"base64\"}", withoutVersions(reply));
    Reply written = put("bytes-in", "{\"value\": \"AAEC/w==\", \"encoding\": \"base64\"}");
    assertEquals(200, written.status(), written.body());
    assertEquals(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xff}),
        leader.kv().get(GetRequest.newBuilder().setKey("bytes-in").build()).getValue());
    assertEquals("base64", gateway.get("/v1/kv/bytes-in").json().get("encoding").asText());
    // Base64 of text bytes is stored as that text, and read back as utf8.
    put("text-as-base64", "{\"value\": \"" + Base64.getEncoder().encodeToString("hé".getBytes(
        java.nio.charset.StandardCharsets.UTF_8)) + "\", \"encoding\": \"base64\"}");
    assertEquals("{\"key\":\"text-as-base64\",\"value\":\"hé\",\"encoding\":\"utf8\"}",
        withoutVersions(gateway.get("/v1/kv/text-as-base64")));
    assertEquals(200, put("explicit-utf8", "{\"value\": \"v\", \"encoding\": \"utf8\"}").status());
    assertEquals("v", gateway.get("/v1/kv/explicit-utf8").json().get("value").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"user/42", "a:b", "100%", "with space", "ключ 🔑", "é/x:y %z", "?#&=+", "%2F", "~-_."})
  void oddKeysRoundTripAsOnePercentEncodedSegment(String key) {
    String value = "value of " + key;

    assertEquals(200, put(key, valueBody(value)).status());
    Reply got = gateway.get("/v1/kv/" + encode(key));
    assertEquals(200, got.status(), got.body());
    assertEquals(key, got.json().get("key").asText());
    assertEquals(value, got.json().get("value").asText());
    assertEquals(ByteString.copyFromUtf8(value), leader.kv().get(GetRequest.newBuilder().setKey(key).build()).getValue());
    JsonNode listed = gateway.get("/v1/kv?prefix=" + encode(key) + "&limit=1").json().get("items").get(0);
    assertEquals(key, listed.get("key").asText());
    Reply deleted = gateway.delete("/v1/kv/" + encode(key));
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals(key, deleted.json().get("key").asText());
    assertEquals(404, gateway.get("/v1/kv/" + encode(key)).status());
  }

  @Test
  void aColonNeedsNoEncoding() {
    put("ns:item", valueBody("raw colon"));

    assertEquals("raw colon", gateway.get("/v1/kv/ns:item").json().get("value").asText());
    assertEquals(200, gateway.delete("/v1/kv/ns:item").status());
  }

  @Test
  void deleteSaysWhereAndAMissingKeyIs404WithTheOriginalBody() {
    JsonNode set = put("doomed", valueBody("x")).json();

    Reply reply = gateway.delete("/v1/kv/doomed");

    assertEquals(200, reply.status(), reply.body());
    assertTrue(reply.json().get("deleted").asBoolean());
    assertEquals(set.get("seq").asLong() + 1, reply.json().get("seq").asLong());
    for (Reply missing : List.of(gateway.get("/v1/kv/doomed"), gateway.delete("/v1/kv/doomed"))) {
      assertEquals(404, missing.status());
      assertEquals("{\"error\":\"Key not found\"}", missing.body());
      assertTrue(missing.contentType().startsWith("application/json"));
    }
  }

  @Test
  void listIsAPageWithACursorAndEachItemAsInGet() throws IOException {
    for (String key : List.of("page/a", "page/b", "page/c")) {
      put(key, valueBody("v-" + key));
    }
    leader.kv().put(PutRequest.newBuilder().setKey("page/d").setValue(ByteString.copyFrom(new byte[] {(byte) 0x80}))
        .build());

    Reply firstReply = gateway.get("/v1/kv?prefix=page/&limit=2");
    JsonNode first = firstReply.json();
    assertEquals("{\"items\":[{\"key\":\"page/a\",\"value\":\"v-page/a\",\"encoding\":\"utf8\"},"
        + "{\"key\":\"page/b\",\"value\":\"v-page/b\",\"encoding\":\"utf8\"}],\"has_more\":true,\"next_after\":\"page/b\"}",
        withoutVersions(firstReply));
    assertEquals(gateway.get("/v1/kv/page%2Fa").json().get("version"), first.get("items").get(0).get("version"),
        "an item's version is the key's, as GET gives it");
    assertTrue(first.get("has_more").asBoolean());
    assertEquals("page/b", first.get("next_after").asText());
    Reply secondReply = gateway.get("/v1/kv?prefix=page/&limit=2&after=page/b");
    JsonNode second = secondReply.json();
    assertEquals("[{\"key\":\"page/c\",\"value\":\"v-page/c\",\"encoding\":\"utf8\"},"
        + "{\"key\":\"page/d\",\"value\":\"gA==\",\"encoding\":\"base64\"}]",
        GatewayUnderTest.JSON.readTree(withoutVersions(secondReply)).get("items").toString());
    assertFalse(second.get("has_more").asBoolean());
    assertTrue(second.get("next_after").isNull());
    JsonNode whole = gateway.get("/v1/kv?prefix=page/").json();
    assertEquals(4, whole.get("items").size(), "default page of 100 holds them all");
    assertEquals("{\"items\":[],\"has_more\":false,\"next_after\":null}", gateway.get("/v1/kv?prefix=none/").body());
  }

  @Test
  void listWithoutALimitIsOnePageOfAHundred() {
    for (int i = 0; i < 105; i++) {
      leader.kv().put(PutRequest.newBuilder().setKey(String.format("hundred/%03d", i))
          .setValue(ByteString.copyFromUtf8("v")).build());
    }

    JsonNode page = gateway.get("/v1/kv?prefix=hundred/").json();

    assertEquals(100, page.get("items").size());
    assertTrue(page.get("has_more").asBoolean());
    assertEquals("hundred/099", page.get("next_after").asText());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"value\": 5}", "{\"value\": \"v\", \"key\": \"k\"}", "{}", "{\"value\": \"v\",",
      "[\"v\"]", "{\"value\": \"v\", \"encoding\": \"hex\"}", "{\"value\": \"!!\", \"encoding\": \"base64\"}",
      "{\"value\": \"a\", \"value\": \"b\"}", ""})
  void badBodiesAre400WithAJsonError(String body) {
    Reply reply = put("bad-body", body);

    assertEquals(400, reply.status(), body + " -> " + reply.body());
    assertTrue(reply.error() != null && !reply.error().isEmpty(), reply.body());
    assertEquals(404, gateway.get("/v1/kv/bad-body").status(), "nothing stored");
  }

  @Test
  void errorsHaveTheStatusCodesOfTheOriginalEndpoints() {
    String big = "x".repeat(KvHttpApiTest.LIMITS.maxValueBytes() + 1);
    String longKey = "k".repeat(KvHttpApiTest.LIMITS.maxKeyBytes() + 1);
    String overBody = "{\"value\": \"" + "y".repeat((int) KvHttpApiTest.MAX_BODY) + "\"}";
    record Case(Reply v1, Reply original) {}
    List<Case> cases = List.of(
        new Case(put("big", valueBody(big)), gateway.set("big", big)),
        new Case(put(longKey, valueBody("v")), gateway.set(longKey, "v")),
        new Case(put("over", overBody), gateway.postJson("/set", "{\"key\": \"over\", \"value\": \"" + "y".repeat(
            (int) KvHttpApiTest.MAX_BODY) + "\"}")),
        new Case(put("/v1/kv/ct", "text/plain", valueBody("v")), gateway.post("/set", "text/plain", "{}")),
        new Case(put("/v1/kv/acks?min_acks=5", "application/json", valueBody("v")),
            gateway.postJson("/set?min_acks=5", "{\"key\": \"acks\", \"value\": \"v\"}")),
        new Case(put("/v1/kv/q?bogus=1", "application/json", valueBody("v")),
            gateway.postJson("/set?bogus=1", "{\"key\": \"q\", \"value\": \"v\"}")),
        new Case(gateway.get("/v1/kv/x?bogus=1"), gateway.get("/get/x?bogus=1")),
        new Case(gateway.get("/v1/kv/%FF"), gateway.get("/get/%FF")),
        new Case(gateway.get("/v1/kv/%2E%2E"), gateway.get("/get/%2E%2E")),
        new Case(gateway.get("/v1/kv?limit=0"), gateway.get("/all?limit=0")),
        new Case(gateway.get("/v1/kv?prefix=%FF"), gateway.get("/all?prefix=%FF")),
        new Case(gateway.get("/v1/kv?limt=3"), gateway.get("/all?limt=3")));
    int[] expected = {413, 413, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400};
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      assertEquals(expected[i], c.original().status(), "case " + i + ": " + c.original().body());
      assertEquals(c.original().status(), c.v1().status(), "case " + i + ": " + c.v1().body());
      assertTrue(c.v1().contentType().startsWith("application/json"), "case " + i);
      assertFalse(c.v1().error().isEmpty(), "case " + i);
    }
  }

  @Test
  void aKeyWithARawSlashIsNoRouteAndAWrongMethodIs405() {
    Reply slash = gateway.get("/v1/kv/a/b");
    Reply post = gateway.postJson("/v1/kv/a", valueBody("v"));

    assertEquals(404, slash.status());
    assertTrue(slash.error().contains("%2F"), slash.body());
    assertEquals(405, post.status(), post.body());
    assertTrue(post.error().startsWith("method not allowed"), post.body());
  }

  @Test
  void theRoutesAreListedInTheDocs() {
    Reply spec = gateway.get("/docs/specification.json");

    assertEquals(200, spec.status());
    assertTrue(spec.body().contains("V1KvApi"), "the /v1 service");
    // DocService writes a path parameter as :key, and an exact path with its prefix.
    assertTrue(spec.body().contains("\"/v1/kv/:key\""), "GET, PUT, DELETE /v1/kv/{key}");
    assertTrue(spec.body().contains("\"exact:/v1/kv\""), "GET /v1/kv");
    assertTrue(spec.body().contains("{\\\"value\\\": \\\"world\\\"}"), "the PUT form's example body");
  }
}
