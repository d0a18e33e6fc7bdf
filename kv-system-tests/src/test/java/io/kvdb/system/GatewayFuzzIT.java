package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.core.config.Limits;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the HTTP gateway in front of a real leader with hand-written HTTP/1.1: adversarial keys in
 * bodies and URLs, values at and past the limits, malformed and mistyped JSON, bad base64, odd
 * content types and query parameters, wrong methods and routes, broken escapes, raw control bytes
 * and bad chunking. A request the contract refuses gets a 4xx (with a JSON error once it is
 * well-formed HTTP), a valid one its 200 or 404; nothing gets a 5xx; batches of refused requests
 * leave the shard digests unchanged; at the end the leader holds exactly what the accepted writes
 * made.
 */
@Timeout(300)
class GatewayFuzzIT {
  private static final Limits LIMITS = new Limits(128, 2048, 8192, 20, 20);
  private static final int MAX_BODY = 6000;
  private static final String JSON = "application/json";

  @TempDir Path dir;

  private final long seed = Long.getLong("kvdb.fuzz.seed", 20240611L);
  private final Random random = new Random(seed);
  private final FuzzInputs inputs = new FuzzInputs(random, LIMITS.maxKeyBytes(), LIMITS.maxValueBytes());
  private static final int SHARDS = 8;
  private final KvModel model = new KvModel(LIMITS, 1, SHARDS);
  private final Map<String, Integer> tally = new TreeMap<>();
  private InetSocketAddress gateway;

  /** A request as sent, what the contract says of it, and a description for failure messages. */
  private record Input(byte[] request, Expect expect, String what, Runnable onOk) {}

  /** What the reply must be. */
  private enum Expect { OK, NOT_FOUND, REFUSED, REFUSED_NOT_JSON, ANY_BUT_5XX }

  @Test
  void everyRequestGetsAClearAnswerAndRefusedOnesChangeNothing() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", String.valueOf(SHARDS),
        "--max-key-bytes", Integer.toString(LIMITS.maxKeyBytes()),
        "--max-value-bytes", Integer.toString(LIMITS.maxValueBytes()),
        "--max-message-bytes", Integer.toString(LIMITS.maxMessageBytes()),
        "--max-page-size", Integer.toString(LIMITS.maxPageSize()))) {
      cluster.startLeader().startGateway("--max-body-bytes", Integer.toString(MAX_BODY));
      gateway = new InetSocketAddress("127.0.0.1", cluster.gatewayPort);
      long start = System.nanoTime();
      long deadline = start + Long.getLong("kvdb.fuzz.httpSeconds", Scale.current().fuzzSeconds() * 3 / 10) * 1_000_000_000L;
      int refusedBatches = 0;
      for (int round = 0; round < 100_000 && System.nanoTime() < deadline; round++) {
        if (round % 3 == 0) {
          ShardDigestsResponse before = digests(cluster);
          for (int i = 0; i < 30; i++) {
            send(refused());
          }
          assertEquals(before, digests(cluster), "refused requests changed nothing");
          refusedBatches++;
        } else {
          for (int i = 0; i < 60; i++) {
            send(random.nextInt(4) == 0 ? refused() : valid());
          }
        }
        assertTrue(cluster.gateway().isAlive() && cluster.leader().isAlive(), "gateway and leader keep running");
      }
      int pages = model.assertLeaderHoldsTheSame(cluster.leaderChannel());
      int tried = tally.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf("HTTP fuzz: %d requests in %.1f s (seed %d), replies %s; %d all-refused batches left the"
          + " digests unchanged; %d keys held, equal to the reference in %d List pages%n", tried,
          (System.nanoTime() - start) / 1e9, seed, tally, refusedBatches, model.size(), pages);
    }
  }

  private void send(Input input) {
    RawHttp.Reply reply = RawHttp.exchange(gateway, input.request());
    tally.merge(reply.status() == 0 ? "closed" : Integer.toString(reply.status()), 1, Integer::sum);
    String seen = input.what() + " -> " + reply.status() + " " + KvModel.abbreviate(reply.body()) + "\n  request: "
        + RawHttp.preview(input.request());
    assertTrue(reply.status() < 500, "never a 5xx: " + seen);
    switch (input.expect()) {
      case OK -> assertEquals(200, reply.status(), seen);
      case NOT_FOUND -> assertEquals(404, reply.status(), seen);
      case REFUSED -> assertTrue(reply.status() >= 400 && reply.body().contains("\"error\""), seen);
      case REFUSED_NOT_JSON -> assertTrue(reply.status() >= 400 || reply.status() == 0, seen);
      case ANY_BUT_5XX -> assertTrue(reply.status() >= 200, seen);
    }
    if (reply.status() == 200 && input.onOk() != null) {
      input.onOk().run();
    }
  }

  // ---- requests the contract accepts (or answers 404) ------------------------------------------

  private Input valid() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> set(inputs.key(), inputs.value(), random.nextBoolean());
      case 2 -> get(inputs.key());
      case 3 -> delete(inputs.key());
      case 4 -> new Input(RawHttp.request("GET", "/all?limit=" + random.nextInt(30) + "&prefix="
          + HttpWriter.pathSegment(inputs.prefix()), null, null), Expect.ANY_BUT_5XX, "GET /all", null);
      default -> set(inputs.validKey(), new byte[random.nextInt(64)], true);
    };
  }

  /** POST /set: 200 exactly when the key and value are within the limits (and the body within the gateway's). */
  private Input set(String key, byte[] value, boolean base64) {
    String encoded = base64 ? Base64.getEncoder().encodeToString(value) : new String(value, StandardCharsets.ISO_8859_1);
    byte[] storedValue = base64 ? value : encoded.getBytes(StandardCharsets.UTF_8);
    String json = "{\"key\": " + HttpWriter.json(key) + ", \"value\": " + HttpWriter.json(encoded)
        + (base64 ? ", \"encoding\": \"base64\"" : "") + "}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    int keyBytes = KvModel.utf8(key).length;
    boolean ok = !key.isEmpty() && keyBytes <= LIMITS.maxKeyBytes() && storedValue.length <= LIMITS.maxValueBytes()
        && body.length <= MAX_BODY;
    return new Input(RawHttp.request("POST", "/set", JSON, body), ok ? Expect.OK : Expect.REFUSED,
        "POST /set key " + KvModel.abbreviate(key) + ", value of " + storedValue.length + " bytes",
        () -> model.put(key, storedValue));
  }

  private Input get(String key) {
    if (!carriedByUrl(key)) {
      return new Input(RawHttp.request("GET", "/get/" + HttpWriter.pathSegment(key), null, null), Expect.REFUSED,
          "GET of a key a URL cannot carry: " + KvModel.abbreviate(key), null);
    }
    return new Input(RawHttp.request("GET", "/get/" + HttpWriter.pathSegment(key), null, null),
        model.contains(key) ? Expect.OK : Expect.NOT_FOUND, "GET " + KvModel.abbreviate(key), null);
  }

  private Input delete(String key) {
    String target = "/delete/" + HttpWriter.pathSegment(key);
    if (!carriedByUrl(key)) {
      return new Input(RawHttp.request("DELETE", target, null, null), Expect.REFUSED,
          "DELETE of a key a URL cannot carry: " + KvModel.abbreviate(key), null);
    }
    return new Input(RawHttp.request("DELETE", target, null, null), model.contains(key) ? Expect.OK : Expect.NOT_FOUND,
        "DELETE " + KvModel.abbreviate(key), () -> model.remove(key));
  }

  /** The gateway README: no empty key, '.', '..', ASCII controls but tab, U+FFFD; and within the key limit. */
  private static boolean carriedByUrl(String key) {
    String stored = new String(KvModel.utf8(key), StandardCharsets.UTF_8);
    if (stored.isEmpty() || stored.equals(".") || stored.equals("..") || stored.indexOf('\uFFFD') >= 0
        || KvModel.utf8(key).length > LIMITS.maxKeyBytes()) {
      return false;
    }
    return stored.chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F);
  }

  // ---- requests the contract refuses ----------------------------------------------------------

  private Input refused() {
    String key = JSON_KEYS[random.nextInt(JSON_KEYS.length)];
    return switch (random.nextInt(16)) {
      case 0 -> body("random bytes", inputs.bytes(200), JSON);
      case 1 -> body("truncated JSON", truncate(object(key, "\"value\": \"v\"")), JSON);
      case 2 -> body("a JSON array", bytes("[\"" + key + "\", \"v\"]"), JSON);
      case 3 -> body("a value that is a number", object(key, "\"value\": 42"), JSON);
      case 4 -> body("an unknown field", object(key, "\"value\": \"v\", \"ttl\": 5"), JSON);
      case 5 -> body("a duplicate key field", object(key, "\"key\": \"other\", \"value\": \"v\""), JSON);
      case 6 -> body("bad base64", object(key, "\"value\": \"%%%not base64\", \"encoding\": \"base64\""), JSON);
      case 7 -> body("an unknown encoding", object(key, "\"value\": \"v\", \"encoding\": \"rot13\""), JSON);
      case 8 -> body("a content type that is not JSON", object(key, "\"value\": \"v\""),
          random.nextBoolean() ? "text/plain" : "application/json; charset=iso-8859-1");
      case 9 -> body("a body past --max-body-bytes", object(key, "\"value\": \"" + "x".repeat(MAX_BODY) + "\""), JSON);
      case 10 -> set(inputs.invalidKey(), new byte[1], false);
      case 11 -> new Input(RawHttp.request("POST", "/set?" + QUERIES[random.nextInt(QUERIES.length)], JSON,
          object(key, "\"value\": \"v\"")), Expect.REFUSED, "a bad query", null);
      case 12 -> new Input(RawHttp.request(random.nextBoolean() ? "GET" : "PUT", "/set", null, null), Expect.REFUSED,
          "a wrong method", null);
      case 13 -> new Input(RawHttp.request("GET", ROUTES[random.nextInt(ROUTES.length)], null, null), Expect.REFUSED,
          "a route that does not exist or a broken escape", null);
      case 14 -> delete("absent/" + random.nextInt(1_000_000));
      default -> new Input(notHttp(), Expect.REFUSED_NOT_JSON, "not HTTP", null);
    };
  }

  /** Keys of refused bodies: if one were stored by mistake, the final comparison would show it. */
  private static final String[] JSON_KEYS = {"refused", "refused/2", "r\\u00e9fus\\u00e9"};
  private static final String[] QUERIES = {"min_acks=abc", "min_acks=2", "min_acks=-1", "min_acks=99999999999",
    "timeout_ms=x", "ttl=5", "min_acks=1&min_acks=1", "min_acks=%ZZ"};
  private static final String[] ROUTES = {"/nope", "/get/a/b", "/get/%FF", "/get/%ZZ", "/get/", "/delete",
    "/get/%2e%2e", "/all?limit=abc", "/all?limit=-5", "/all?prefix=%FF", "/all?unknown=1", "/get/a%00b"};

  private Input body(String what, byte[] body, String contentType) {
    return new Input(RawHttp.request("POST", "/set", contentType, body), Expect.REFUSED, "POST /set with " + what, null);
  }

  /** {@code {"key": key, <rest>}} as bytes. */
  private static byte[] object(String key, String rest) {
    return bytes("{\"key\": \"" + key + "\", " + rest + "}");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] truncate(byte[] bytes) {
    return java.util.Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length - 1));
  }

  /** Requests HTTP/1.1 cannot parse: a raw control byte in the target, bad chunking, a garbage request line. */
  private byte[] notHttp() {
    return switch (random.nextInt(3)) {
      case 0 -> "GET /get/a\u0001b HTTP/1.1\r\nHost: kvdb\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
      case 1 -> ("POST /set HTTP/1.1\r\nHost: kvdb\r\nConnection: close\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      default -> {
        byte[] junk = inputs.bytes(100);
        byte[] line = java.util.Arrays.copyOf(junk, junk.length + 4);
        System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, line, junk.length, 4);
        yield line;
      }
    };
  }

  private static ShardDigestsResponse digests(TestCluster cluster) {
    return cluster.cluster().shardDigests(ShardDigestsRequest.getDefaultInstance());
  }
}
