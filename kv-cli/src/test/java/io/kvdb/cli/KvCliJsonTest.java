package io.kvdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.common.net.HostPort;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.gateway.GatewayMain;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv --json} against a real leader, follower and gateway in this JVM, over TCP: each
 * command's output parsed back and its fields checked, against the gateway's replies where the
 * HTTP API has the same answer; errors as JSON on stdout with the exit codes of text mode.
 */
@Timeout(120)
class KvCliJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Quotes, backslashes, control characters, non-ASCII and a character outside the BMP. */
  private static final String AWKWARD_KEY = "json/\"quoted\" back\\slash\ttab\nnewline \u0001 é 😀";

  @TempDir static Path dir;
  private static LeaderServer leader;
  private static FollowerServer follower;
  private static Server gateway;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("stdout is not one JSON document: " + out + err, e);
      }
    }

    /** Each line of stdout as a JSON object (the listings). */
    List<JsonNode> lines() {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.lines().toList()) {
        try {
          lines.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new AssertionError("a line that is not JSON: " + line, e);
        }
      }
      return lines;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    follower = new FollowerServer(FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    awaitFollowerHoldingShards();
    gateway = GatewayMain.newServer(GatewayConfig.forTest(new HostPort("127.0.0.1", leader.grpcPort())));
    gateway.start().join();
  }

  /** Put replies list the followers of the key's shard: wait (bounded) until f1 holds shards. */
  private static void awaitFollowerHoldingShards() throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (KvClient client = KvClient.connect(leaderAddress(), KvOptions.DEFAULT)) {
      while (client.status().getFollowersList().stream().noneMatch(f -> f.getAlive() && f.getShardsCount() > 0)) {
        assertTrue(System.nanoTime() < deadline, "no live follower with shards within 60 s: " + client.status());
        Thread.sleep(50);
      }
    }
  }

  @AfterAll
  static void stop() {
    gateway.stop().join();
    follower.stop();
    leader.stop();
  }

  @Test
  void putGetDeleteAnswerAsTheHttpApiDoes() throws Exception {
    JsonNode put = ok(kv("--json", "put", AWKWARD_KEY, "héllo 😀", "--wait", "1"));
    assertEquals(AWKWARD_KEY, put.get("key").asText());
    assertTrue(put.get("seq").asLong() > 0 && put.get("epoch").asLong() > 0, put.toString());
    assertEquals(1, put.get("acks").asInt(), "--wait 1: " + put);
    assertEquals("[\"f1\"]", put.get("followers").toString());
    JsonNode set = http("POST", "/set", "{\"key\": \"json/http\", \"value\": \"v\"}");
    assertEquals(fields(set), fields(put), "kv --json put and POST /set name the same fields");

    JsonNode got = ok(kv("get", AWKWARD_KEY, "--json"));
    assertEquals(put.get("version").asLong(), got.get("version").asLong(), "get answers the version put wrote");
    assertEquals(Map.of("key", AWKWARD_KEY, "value", "héllo 😀", "encoding", "utf8", "version", put.get("version").asLong()),
        JSON.convertValue(got, Map.class));

    JsonNode deleted = ok(kv("--json", "delete", AWKWARD_KEY));
    assertEquals(AWKWARD_KEY, deleted.get("key").asText());
    assertTrue(deleted.get("deleted").asBoolean(), deleted.toString());
    assertEquals(put.get("shard"), deleted.get("shard"));
    assertEquals(put.get("seq").asLong() + 1, deleted.get("seq").asLong(), "the next write of the shard");
    JsonNode httpDeleted = http("DELETE", "/delete/json%2Fhttp", null);
    assertEquals(fields(httpDeleted), fields(deleted), "kv --json delete and DELETE /delete/:key");
  }

  @Test
  void valuesThatAreNotUtf8ComeAsBase64AndListsArePairsOneALine() {
    byte[] binary = {(byte) 0xff, 0, (byte) 0xfe, '\n', 'x'};
    try (KvClient client = KvClient.connect(leaderAddress(), KvOptions.DEFAULT)) {
      client.put("list/a-binary", ByteString.copyFrom(binary));
      client.put("list/b-text", ByteString.copyFromUtf8("line one\nline two"));
      client.put("list/c-empty", ByteString.EMPTY);
    }
    JsonNode got = ok(kv("--json", "get", "list/a-binary"));
    assertEquals("base64", got.get("encoding").asText());
    assertEquals(ByteString.copyFrom(binary), ByteString.copyFrom(Base64.getDecoder().decode(got.get("value").asText())));

    Result listed = kv("--json", "list", "--prefix", "list/");
    assertEquals(0, listed.code(), listed.err());
    List<JsonNode> pairs = listed.lines();
    assertEquals(3, pairs.size(), listed.out());
    assertEquals(List.of("list/a-binary", "list/b-text", "list/c-empty"), pairs.stream().map(p -> p.get("key").asText())
        .toList());
    assertEquals(got.get("value"), pairs.get(0).get("value"));
    assertEquals("base64", pairs.get(0).get("encoding").asText());
    assertEquals("line one\nline two", pairs.get(1).get("value").asText());
    assertTrue(pairs.get(2).get("version").asLong() > 0, "items carry their version: " + pairs.get(2));
    assertEquals(Map.of("key", "list/c-empty", "value", "", "encoding", "utf8", "version", pairs.get(2).get("version").asLong()),
        JSON.convertValue(pairs.get(2), Map.class));
    assertEquals(1, kv("--json", "list", "--prefix", "list/", "--limit", "1").lines().size());
    assertEquals("", kv("--json", "list", "--prefix", "list/none/").out(), "no pair, no line");
  }

  @Test
  void statusHasTheFieldsOfGetCluster() throws Exception {
    JsonNode status = ok(kv("--json", "status"));
    assertEquals(fields(http("GET", "/cluster", null)), fields(status), "kv --json status and GET /cluster");
    assertEquals(8, status.get("shards").asInt());
    assertTrue(status.get("epoch").asLong() > 0 && !status.get("leader_id").asText().isEmpty(), status.toString());
    assertTrue(status.get("under_replicated_shards").isArray() && status.get("replication_lag").isObject(),
        status.toString());
    JsonNode f1 = status.get("followers").get(0);
    assertEquals("f1", f1.get("id").asText());
    assertTrue(f1.get("alive").isBoolean() && f1.get("shards").isArray() && f1.has("lag_ms"), f1.toString());
  }

  @Test
  void verifyIsOneDocumentWithEveryCopyAndTheCounts() throws Exception {
    ok(kv("--json", "put", "verified", "yes", "--wait", "1"));
    long deadline = System.nanoTime() + 30_000_000_000L;
    Result verify = kv("--json", "verify");
    while (verify.json().get("lagging").asInt() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      verify = kv("--json", "verify");
    }
    JsonNode report = ok(verify);
    assertTrue(report.get("ok").asBoolean(), report.toString());
    assertEquals(8, report.get("matching").asInt(), report.toString());
    assertEquals(0, report.get("differing").asInt() + report.get("ahead").asInt() + report.get("unreachable").asInt());
    assertEquals(8, report.get("copies").size());
    for (JsonNode copy : report.get("copies")) {
      assertEquals("f1", copy.get("follower").asText());
      assertEquals("matching", copy.get("verdict").asText());
      assertEquals(copy.get("digest"), copy.get("leader").get("digest"), copy.toString());
      assertEquals(copy.get("seq"), copy.get("leader").get("seq"), copy.toString());
      assertEquals(copy.get("shard"), copy.get("leader").get("shard"), copy.toString());
    }
    assertEquals("[]", report.get("dead_skipped").toString());
  }

  @Test
  void drainAndUndrainAnswerAndFailAsJson() {
    Result refused = kv("--json", "drain", "f1");
    assertEquals(1, refused.code(), refused.out() + refused.err());
    JsonNode error = refused.json();
    assertEquals("FAILED_PRECONDITION", error.get("code").asText());
    assertTrue(error.get("error").asText().startsWith("drain f1 failed: cannot drain follower f1: R=1 needs"),
        error.toString());
    assertFalse(refused.out().contains("draining"), "no progress line on stdout: " + refused.out());
    Result unknown = kv("--json", "drain", "nobody");
    assertEquals(1, unknown.code());
    assertEquals("NOT_FOUND", unknown.json().get("code").asText());
    JsonNode undrained = ok(kv("--json", "undrain", "f1"));
    assertEquals(Map.of("follower_id", "f1", "was_drained", false), JSON.convertValue(undrained, Map.class));
  }

  @Test
  void backupSaysWhatItWroteAndRefusesAFileThatExists() throws Exception {
    ok(kv("--json", "put", "backed-up", "yes"));
    Path file = dir.resolve("json.kvdump");
    JsonNode backup = ok(kv("--json", "backup", file.toString()));
    assertEquals(file.toAbsolutePath().toString(), backup.get("file").asText());
    assertEquals(Files.size(file), backup.get("bytes").asLong());
    assertEquals(8, backup.get("shards").asInt());
    assertTrue(backup.get("keys").asLong() >= 1 && backup.get("writes").asLong() >= backup.get("keys").asLong(),
        backup.toString());
    assertEquals(ok(kv("--json", "status")).get("leader_id"), backup.get("leader_id"));
    assertTrue(backup.get("epoch").asLong() > 0, backup.toString());

    Result again = kv("--json", "backup", file.toString());
    assertEquals(1, again.code(), again.out() + again.err());
    assertEquals("ALREADY_EXISTS", again.json().get("code").asText());
    assertEquals(file.toAbsolutePath().toString(), again.json().get("file").asText());
  }

  @Test
  void errorsAreJsonOnStdoutWithTheExitCodesOfText() throws IOException {
    Result missing = kv("--json", "get", "no-such-key");
    assertEquals(1, missing.code());
    assertEquals(Map.of("error", "not found: no-such-key", "code", "NOT_FOUND", "key", "no-such-key"),
        JSON.convertValue(missing.json(), Map.class));
    assertEquals("", missing.err(), "the error is on stdout alone");
    Result deleteMissing = kv("--json", "delete", "no-such-key");
    assertEquals(1, deleteMissing.code());
    assertEquals("NOT_FOUND", deleteMissing.json().get("code").asText());

    Result unknown = kv("--json", "frobnicate");
    assertEquals(2, unknown.code());
    assertEquals(Map.of("error", "unknown command 'frobnicate'", "code", "USAGE"),
        JSON.convertValue(unknown.json(), Map.class));
    assertEquals("", unknown.err(), "no usage text with --json");
    Result noValue = kv("put", "only-key", "--json");
    assertEquals(2, noValue.code());
    assertEquals("USAGE", noValue.json().get("code").asText());
    Result badFlag = run(new String[] {"--json", "--leader"});
    assertEquals(2, badFlag.code(), "a flag without its value, before --json could be read: " + badFlag.out());
    assertEquals("USAGE", badFlag.json().get("code").asText());
    assertTrue(badFlag.json().get("error").asText().contains("--leader"), badFlag.out());

    Result refused = kv("--json", "put", "", "value");
    assertEquals(3, refused.code());
    assertEquals("INVALID_ARGUMENT", refused.json().get("code").asText());
    assertTrue(refused.json().get("error").asText().startsWith("key is empty"), "the server's description alone: "
        + refused.out());

    Result unreachable = run(new String[] {"--leader", "127.0.0.1:" + freePort(), "--json", "status"});
    assertEquals(3, unreachable.code(), unreachable.out() + unreachable.err());
    assertEquals("UNAVAILABLE", unreachable.json().get("code").asText());
    assertTrue(unreachable.json().get("error").asText().contains("Connection refused"), unreachable.out());

    Result text = kv("--json=false", "get", "no-such-key");
    assertEquals(1, text.code());
    assertEquals("", text.out());
    assertEquals("kv: not found: no-such-key\n", text.err());
  }

  @Test
  void aServersErrorInfoComesWithItsReasonAndMetadata() throws Exception {
    // A fake Cluster service that refuses Status with a kvdb ErrorInfo: KEY_NOT_FOUND's metadata
    // holds a number and a boolean, written as JSON numbers and booleans as the HTTP API does.
    io.grpc.Server fake = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new ClusterGrpc.ClusterImplBase() {
          @Override
          public void status(StatusRequest request, StreamObserver<StatusResponse> reply) {
            reply.onError(ErrorReasons.keyNotFound("no such thing", 12, true));
          }
        }).build().start();
    try {
      Result refused = run(new String[] {"--json", "--leader", "127.0.0.1:" + fake.getPort(), "status"});
      assertEquals(3, refused.code(), refused.out() + refused.err());
      assertEquals(Map.of("error", "no such thing", "code", "NOT_FOUND", "reason", "KEY_NOT_FOUND", "applied_seq", 12,
          "stale", true), JSON.convertValue(refused.json(), Map.class));
    } finally {
      fake.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Stdout as JSON, the command having exited 0. */
  private static JsonNode ok(Result result) {
    assertEquals(0, result.code(), result.out() + result.err());
    return result.json();
  }

  private static Set<String> fields(JsonNode object) {
    Set<String> names = new TreeSet<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The gateway's JSON answer to {@code method path} (a 200). */
  private static JsonNode http(String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.activeLocalPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), method + " " + path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  private static String leaderAddress() {
    return "127.0.0.1:" + leader.grpcPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Result kv(String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "--leader";
    full[1] = leaderAddress();
    System.arraycopy(args, 0, full, 2, args.length);
    return run(full);
  }

  private static Result run(String[] args) {
    CliRun.Result run = CliRun.run(args);
    return new Result(run.code(), run.out(), run.err());
  }
}
