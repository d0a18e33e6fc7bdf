package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TTL with real processes: keys expire on the leader, the expiry is replicated as deletes, and the
 * followers end identical to the leader by digest (key counts included); a key with a TTL written
 * before a leader restart expires after it. Bad TTLs are INVALID_ARGUMENT over gRPC and 400 over HTTP.
 */
@Timeout(300)
class TtlIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final List<String> FOLLOWERS = List.of("f1", "f2");

  @TempDir Path dir;

  @Test
  void expiryIsSeenIdenticallyOnTheLeaderAndTheFollowersAlsoAcrossALeaderRestart() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8")) {
      cluster.startLeader();
      FOLLOWERS.forEach(id -> cluster.addFollower(id));
      FOLLOWERS.forEach(cluster::awaitAlive);
      cluster.startGateway();
      cluster.client().put("plain", utf8("p"));
      cluster.client().put("long", utf8("l"), OptionalLong.empty(), 3600);
      cluster.client().put("renewed", utf8("r"), OptionalLong.empty(), 2);
      cluster.client().put("renewed", utf8("r2")); // clears the TTL
      cluster.client().put("short", utf8("s"), OptionalLong.empty(), 2);
      HttpResponse<String> web = post(cluster, "{\"key\": \"web\", \"value\": \"w\", \"ttl_seconds\": 2}");
      assertEquals(200, web.statusCode(), web.body());

      GetResponse longLived = cluster.client().getEntry("long").orElseThrow();
      assertTrue(longLived.getTtlRemainingMs() > 3_500_000 && longLived.getTtlRemainingMs() <= 3_600_000,
          "ttl_remaining_ms " + longLived.getTtlRemainingMs());
      assertEquals(0, cluster.client().getEntry("renewed").orElseThrow().getTtlRemainingMs());
      assertTrue(get(cluster, "/get/long").body().matches(".*\"ttl_remaining_ms\":\\d+}"));

      badTtls(cluster);

      cluster.await("short and web expired on the leader and every follower", CONVERGE,
          () -> absentEverywhere(cluster, "short") && absentEverywhere(cluster, "web"));
      // Hidden is not enough: the leader's deletes reach the followers, which end equal by digest.
      cluster.await("the expired keys deleted everywhere", CONVERGE, () -> keys(cluster) == 3);
      Map<Integer, ShardDigest> digests = Convergence.await(cluster, CONVERGE);
      assertEquals(3, digests.values().stream().mapToLong(ShardDigest::getKeys).sum(), "plain, long, renewed");
      assertTrue(fromAHolder(cluster, "long").getTtlRemainingMs() > 0, "a follower shows the time left");

      cluster.client().put("restart", utf8("x"), OptionalLong.empty(), 3);
      cluster.leader().kill();
      cluster.startLeader();
      FOLLOWERS.forEach(cluster::awaitAlive);
      cluster.await("a TTL from before the restart expired after it", CONVERGE,
          () -> keys(cluster) == 3 && absentEverywhere(cluster, "restart"));
      Convergence.await(cluster, CONVERGE);
      assertEquals("l", cluster.client().get("long").orElseThrow().toStringUtf8(), "the long TTL survived");
    }
  }

  private void badTtls(TestCluster cluster) throws Exception {
    for (long bad : new long[] {0, -5, 400_000_000}) {
      StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> cluster.kv().put(PutRequest.newBuilder().setKey("bad").setValue(utf8("v")).setTtlSeconds(bad).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("ttl_seconds"), refused.getStatus().getDescription());
    }
    for (String bad : new String[] {"0", "-1", "1.5", "\"10\"", "400000000"}) {
      HttpResponse<String> refused = post(cluster, "{\"key\": \"bad\", \"value\": \"v\", \"ttl_seconds\": " + bad + "}");
      assertEquals(400, refused.statusCode(), bad + ": " + refused.body());
      assertTrue(refused.body().startsWith("{\"error\":") && refused.body().contains("ttl_seconds"), refused.body());
    }
    assertTrue(cluster.client().getEntry("bad").isEmpty(), "nothing was written");
  }

  /** Not on the leader, nor on the followers holding its shard (at least one answers). */
  private static boolean absentEverywhere(TestCluster cluster, String key) {
    if (cluster.client().getEntry(key).isPresent()) {
      return false;
    }
    int holders = 0;
    for (String id : FOLLOWERS) {
      try {
        followerGet(cluster, id, key);
        return false;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          holders++;
        } else if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) { // not placed there
          throw e;
        }
      }
    }
    return holders > 0;
  }

  /** {@code key} read from the first follower that holds its shard. */
  private static GetResponse fromAHolder(TestCluster cluster, String key) {
    for (String id : FOLLOWERS) {
      try {
        return followerGet(cluster, id, key);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
      }
    }
    throw new AssertionError("no follower holds the shard of " + key);
  }

  private static GetResponse followerGet(TestCluster cluster, String id, String key) {
    return FollowerGrpc.newBlockingStub(cluster.follower(id).channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .get(GetRequest.newBuilder().setKey(key).build());
  }

  /** The keys the leader stores (its digests' counts): expired keys count until their delete has run. */
  private static long keys(TestCluster cluster) {
    return Convergence.leaderDigests(cluster).values().stream().mapToLong(ShardDigest::getKeys).sum();
  }

  private static HttpResponse<String> post(TestCluster cluster, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.gatewayPort
        + "/set")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(TestCluster cluster, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.gatewayPort
        + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
