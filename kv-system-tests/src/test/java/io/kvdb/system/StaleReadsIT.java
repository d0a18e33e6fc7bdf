package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.sharding.KeyShards;
import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads while the leader is down, with real processes: a leader, two followers (R=1) and a
 * standalone gateway. While the leader is up (also when it is slow) nothing is stale; once it is
 * killed -9, GET /get and GET /all come from the followers with their marks, a shard whose only
 * holder is killed too is named, writes are refused, and {@code kv get --stale} reads the
 * followers without any leader.
 */
@Timeout(300)
class StaleReadsIT {
  private static final int SHARDS = 16;
  /** A pair of a listing, as the gateway writes it (these keys and values need no escapes). */
  private static final Pattern PAIR = Pattern.compile("\\{\"key\":\"([^\"]*)\",\"value\":\"([^\"]*)\",\"version\":[0-9]+\\}");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private record Reply(int status, java.net.http.HttpHeaders headers, String body) {
    /** The text of the string field {@code name} (no escapes in the values used here), or null. */
    String field(String name) {
      Matcher m = Pattern.compile("\"" + name + "\":(\"([^\"]*)\"|(\\d+))").matcher(body);
      return m.find() ? (m.group(2) != null ? m.group(2) : m.group(3)) : null;
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private Reply send(int port, String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30));
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Reply get(int port, String path) {
    return send(port, "GET", path, null);
  }

  /** The pairs of a GET /all array, as key=value, in order; fails on anything else in it. */
  private static List<String> keysOf(Reply all) {
    List<String> pairs = new ArrayList<>();
    Matcher m = PAIR.matcher(all.body());
    StringBuilder rest = new StringBuilder();
    while (m.find()) {
      pairs.add(m.group(1) + "=" + m.group(2));
      m.appendReplacement(rest, "");
    }
    m.appendTail(rest);
    assertEquals("[]", rest.toString().replace(",", ""), "only pairs in the array: " + all.body());
    return pairs;
  }

  @Test
  void followersServeStaleReadsOnlyOnceTheLeaderIsGone() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", Integer.toString(SHARDS),
        "--replication-factor", "1")) {
      cluster.startLeader();
      TestCluster.Follower f1 = cluster.addFollower("f1");
      TestCluster.Follower f2 = cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      cluster.await("every shard placed on a follower", Duration.ofSeconds(60), () -> {
        StatusResponse status = cluster.status();
        return status.getUnplacedShardsCount() == 0 && status.getFollowersList().stream()
            .allMatch(f -> f.getShardsCount() > 0 && f.getIncomingShardsCount() == 0);
      });
      String f1Address = "127.0.0.1:" + f1.grpcPort;
      cluster.startGateway("--shard-map-refresh-ms", "300", "--leader-timeout-ms", "3000");
      int port = cluster.gatewayPort;
      for (int i = 0; i < 200; i++) {
        cluster.client().put(String.format("key/%03d", i), ByteString.copyFromUtf8("v" + i));
      }
      Convergence.await(cluster, Duration.ofSeconds(60));

      // The leader is up: its answers, unmarked.
      Reply fresh = get(port, "/get/key%2F007");
      assertEquals(200, fresh.status(), fresh.body());
      assertEquals("v7", fresh.field("value"));
      assertEquals(null, fresh.header("x-kv-stale"));
      assertEquals(null, get(port, "/all").header("x-kv-stale"));

      slowLeaderIsNeverStale(cluster, f1Address, "127.0.0.1:" + f2.grpcPort);

      // The last write before the loss, acknowledged by its follower, then kill -9.
      WriteResponse last = cluster.client().withAcks(1, Duration.ofSeconds(10))
          .put("last-write", ByteString.copyFromUtf8("acknowledged"));
      assertEquals(1, last.getAcks(), last.toString());
      Reply before = get(port, "/all");
      assertEquals(201, keysOf(before).size());
      StatusResponse placement = cluster.status();
      assertEquals(200, get(port, "/cluster").status()); // the gateway's map is this placement
      cluster.leader().kill();

      Reply stale = get(port, "/get/last-write");
      assertEquals(200, stale.status(), stale.body() + "\n" + cluster.logTails());
      assertEquals("acknowledged", stale.field("value"));
      assertEquals("true", stale.header("x-kv-stale"));
      assertEquals(Long.toString(last.getSeq()), stale.header("x-kv-applied-seq"));
      Reply after = get(port, "/all");
      assertEquals(200, after.status(), after.body());
      assertEquals("true", after.header("x-kv-stale"));
      assertEquals("", after.header("x-kv-missing-shards"));
      assertEquals(keysOf(before), keysOf(after));
      Reply write = send(port, "POST", "/set", "{\"key\": \"k\", \"value\": \"v\"}");
      assertEquals(503, write.status(), write.body());
      assertTrue(write.field("error").contains("writes are refused"), write.body());

      // f2, the only holder of its shards, goes too.
      Set<Integer> f2Shards = new TreeSet<>(placement.getFollowersList().stream().filter(f -> f.getId().equals("f2"))
          .findFirst().map(FollowerInfo::getShardsList).orElseThrow());
      f2.process.kill();
      String orphan = keyOn(f2Shards, true);
      Reply noHolder = get(port, "/get/" + orphan.replace("/", "%2F"));
      assertEquals(503, noHolder.status(), noHolder.body());
      assertEquals(KeyShards.shardOf(orphan, SHARDS), Integer.parseInt(noHolder.field("shard")), noHolder.body());
      Reply partial = get(port, "/all");
      assertEquals(200, partial.status(), partial.body());
      assertEquals(f2Shards.stream().map(String::valueOf).collect(Collectors.joining(",")),
          partial.header("x-kv-missing-shards"));
      List<String> expected = keysOf(before).stream()
          .filter(pair -> !f2Shards.contains(KeyShards.shardOf(pair.substring(0, pair.indexOf('=')), SHARDS))).toList();
      assertEquals(expected, keysOf(partial));

      // The CLI, with no leader to ask: the followers given.
      String onF1 = keyOn(f2Shards, false);
      try (JavaProcess kv = JavaProcess.start("kv-get-stale", JavaProcess.jarOf("kv-cli"), dir.resolve("logs"),
          "--leader", "127.0.0.1:" + cluster.grpcPort, "get", "--stale", onF1, "--followers", f1Address)) {
        assertTrue(kv.waitFor(Duration.ofSeconds(60)), kv.log());
        String log = kv.logSinceStart();
        assertEquals(0, kv.exitValue(), log);
        assertTrue(log.lines().anyMatch(("v" + Integer.parseInt(onF1.substring(4)))::equals), log);
        assertTrue(log.contains("stale read from follower " + f1Address + ": shard "
            + KeyShards.shardOf(onF1, SHARDS) + ", applied seq "), log);
      }
    }
  }

  /** A key of the 200 whose shard is (or is not) in {@code shards}. */
  private static String keyOn(Set<Integer> shards, boolean in) {
    for (int i = 0; i < 200; i++) {
      String key = String.format("key/%03d", i);
      if (shards.contains(KeyShards.shardOf(key, SHARDS)) == in) {
        return key;
      }
    }
    throw new AssertionError("no key " + (in ? "in" : "outside") + " shards " + shards);
  }

  /**
   * A second gateway reaches the leader through a relay that holds every chunk for longer than the
   * gateway's leader timeout: the leader is reachable and answers, late. Its answers time out
   * (504); none turns stale, although the followers are there and given.
   */
  private void slowLeaderIsNeverStale(TestCluster cluster, String... followers) throws IOException {
    int port = FreePorts.next();
    try (DelayingRelay relay = DelayingRelay.to(cluster.grpcPort);
        JavaProcess gateway = JavaProcess.start("slow-gateway", JavaProcess.jarOf("kv-http-gateway"),
            dir.resolve("logs"), "--host", "127.0.0.1", "--port", Integer.toString(port),
            "--leader", "127.0.0.1:" + relay.port(), "--leader-timeout-ms", "1000",
            "--followers", String.join(",", followers))) {
      gateway.awaitPort(port, TestCluster.START_TIMEOUT);
      Reply fast = get(port, "/get/key%2F001");
      assertEquals(200, fast.status(), fast.body());
      relay.delay(Duration.ofMillis(2500));
      for (String path : List.of("/get/key%2F001", "/all", "/all?limit=5")) {
        Reply slow = get(port, path);
        assertEquals(504, slow.status(), path + ": " + slow.body());
        assertEquals(null, slow.header("x-kv-stale"), path);
      }
    }
  }
}
