package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GET /all: the plain array in key order, streamed over many leader pages, and its paged form. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeyListingTest {
  /**
   * The leader hands out at most 7 keys per List call, so every listing here spans many pages; values
   * may be 2 MiB, so that one page can be larger than the 10 MiB reply the gateway accepts.
   */
  static final Limits LIMITS = new Limits(1024, 2 << 20, (2 << 20) + (64 << 10), 7, 7);

  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(dataDir, LIMITS);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  private static void put(String key, String value) {
    leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build());
  }

  /** What the leader itself lists, page by page: the ground truth /all must match. */
  private static List<String> leaderKeys(String prefix) {
    List<String> keys = new ArrayList<>();
    String after = "";
    ListResponse page;
    do {
      page = leader.kv().list(ListRequest.newBuilder().setPrefix(prefix).setStartAfter(after).build());
      for (KeyValue item : page.getItemsList()) {
        keys.add(item.getKey());
      }
      after = page.getNextStartAfter();
    } while (page.getHasMore());
    return keys;
  }

  private static List<String> keysOf(JsonNode array) {
    List<String> keys = new ArrayList<>();
    array.forEach(item -> keys.add(item.get("key").asText()));
    return keys;
  }

  @Test
  void allIsAPlainArrayOfEveryKeyInUtf8ByteOrderAcrossManyLeaderPages() {
    // U+FF21 sorts before the emoji in UTF-8 bytes (EF.. < F0..) but after it in Java's UTF-16 order.
    List<String> mine = List.of("order/\uFF21", "order/😀", "order/B", "order/a", "order/é", "order/z");
    for (String key : mine) {
      put(key, "v:" + key);
    }
    for (int i = 0; i < 40; i++) {
      put(String.format("many/%03d", i), "n" + i);
    }

    Reply reply = gateway.get("/all");

    assertEquals(200, reply.status());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    JsonNode array = reply.json();
    assertTrue(array.isArray(), reply.body());
    List<String> keys = keysOf(array);
    assertEquals(leaderKeys(""), keys);
    assertTrue(keys.size() > 7, "more than one leader page");
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    assertEquals(sorted, keys);
    assertTrue(keys.indexOf("order/\uFF21") < keys.indexOf("order/😀"));
    assertTrue(keys.containsAll(mine));
    array.forEach(item -> {
      if (item.get("key").asText().startsWith("order/")) {
        assertEquals("v:" + item.get("key").asText(), item.get("value").asText());
      }
    });
  }

  @Test
  void prefixKeepsOnlyMatchingKeys() {
    for (int i = 0; i < 10; i++) {
      put("fruit/" + i, "f" + i);
      put("fruity" + i, "x");
    }

    JsonNode array = gateway.get("/all?prefix=" + GatewayUnderTest.encode("fruit/")).json();

    List<String> keys = keysOf(array);
    assertEquals(10, keys.size(), keys.toString());
    assertTrue(keys.stream().allMatch(k -> k.startsWith("fruit/")));
    assertEquals(leaderKeys("fruit/"), keys);
  }

  @Test
  void afterStartsStrictlyAfterTheKey() {
    for (int i = 0; i < 5; i++) {
      put("after/" + i, "a");
    }

    List<String> keys = keysOf(gateway.get("/all?prefix=after/&after=after/2").json());

    assertEquals(List.of("after/3", "after/4"), keys);
  }

  @Test
  void anEmptyListingIsAnEmptyArray() {
    Reply reply = gateway.get("/all?prefix=nothing-has-this-prefix");

    assertEquals(200, reply.status());
    assertEquals("[]", reply.body());
  }

  @Test
  void limitPagesWithACursorThatCoversEveryKeyOnce() {
    for (int i = 0; i < 23; i++) {
      put(String.format("paged/%02d", i), "p" + i);
    }

    List<String> seen = new ArrayList<>();
    String after = "";
    int pages = 0;
    while (true) {
      JsonNode page = gateway.get("/all?prefix=paged/&limit=5&after=" + GatewayUnderTest.encode(after)).json();
      pages++;
      assertTrue(page.get("items").size() <= 5, page.toString());
      page.get("items").forEach(item -> seen.add(item.get("key").asText()));
      if (!page.get("has_more").asBoolean()) {
        assertTrue(page.get("next_after").isNull(), page.toString());
        break;
      }
      after = page.get("next_after").asText();
      assertEquals(seen.get(seen.size() - 1), after);
    }

    assertEquals(leaderKeys("paged/"), seen);
    assertEquals(23, seen.size());
    assertEquals(5, pages);
  }

  @Test
  void aLimitAboveTheLeadersPageSizeStillPagesCorrectly() {
    for (int i = 0; i < 9; i++) {
      put("cap/" + i, "c");
    }

    JsonNode page = gateway.get("/all?prefix=cap/&limit=100").json();

    assertEquals(7, page.get("items").size(), "capped by the leader's --max-page-size");
    assertTrue(page.get("has_more").asBoolean());
    assertEquals("cap/6", page.get("next_after").asText());
  }

  @Test
  void valuesThatAreNotUtf8AreListedAsBase64() {
    byte[] bytes = {(byte) 0xff, 0, (byte) 0x80};
    leader.kv().put(PutRequest.newBuilder().setKey("bin/1").setValue(ByteString.copyFrom(bytes)).build());
    put("bin/2", "text");

    JsonNode array = gateway.get("/all?prefix=bin/").json();

    assertEquals(Base64.getEncoder().encodeToString(bytes), array.get(0).get("value").asText());
    assertEquals("base64", array.get(0).get("encoding").asText());
    assertEquals("text", array.get(1).get("value").asText());
    assertFalse(array.get(1).has("encoding"));
  }

  @Test
  void pagesLargerThanOneLeaderReplyAreFetchedInSmallerPieces() {
    // A page of 7 values of 2 MiB is 14 MiB, over the 10 MiB reply limit of the gateway's client:
    // the gateway must ask again for fewer keys instead of failing the listing.
    String big = "v".repeat(2 << 20);
    for (int i = 0; i < 8; i++) {
      put(String.format("huge/%02d", i), big);
    }

    Reply reply = gateway.get("/all?prefix=huge/");

    assertEquals(200, reply.status());
    JsonNode array = reply.json();
    assertEquals(8, array.size());
    array.forEach(item -> assertEquals(big.length(), item.get("value").asText().length()));
  }

  @Test
  void badParametersAre400() {
    for (String query : List.of("limit=0", "limit=-3", "limit=ten", "limt=10", "prefix=a&prefix=b")) {
      Reply reply = gateway.get("/all?" + query);
      assertEquals(400, reply.status(), query + ": " + reply.body());
      assertFalse(reply.error().isBlank());
    }
    assertEquals(400, gateway.get("/all?prefix=" + "p".repeat(2000)).status(), "longer than any key");
  }
}
