package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.testing.FakeFollower;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.common.net.HostPort;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.leader.LeaderClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads while the leader is down, through the gateway: a real leader (stopped and started again)
 * or a fake one that answers slowly or with errors, and fake followers on real gRPC ports. Reads
 * turn stale only when the leader cannot be reached, with their headers; writes are then a 503
 * that says so; an answering leader's errors stay its own.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StaleReadsTest {
  private static final int SHARDS = 8; // the test leader's
  @TempDir Path dataDir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closed(T resource) {
    closing.add(resource);
    return resource;
  }

  private FakeFollower follower(int... shards) {
    FakeFollower follower = closed(FakeFollower.onTcp(SHARDS));
    for (int shard : shards) {
      follower.holds(shard, 10L * (shard + 1));
    }
    return follower;
  }

  private static String keyOf(int shard, String prefix) {
    return FakeFollower.keysOfShard(shard, SHARDS, prefix, 1).get(0);
  }

  private static List<HostPort> addresses(FakeFollower... followers) {
    return java.util.Arrays.stream(followers).map(f -> HostPort.parse("follower", f.address)).toList();
  }

  @Test
  void readsTurnStaleOnlyWhileTheLeaderIsUnreachable() {
    InProcessLeader leader = closed(InProcessLeader.start(dataDir, Limits.DEFAULT));
    String fresh = keyOf(0, "fresh/");
    String followersOnly = keyOf(1, "only/");
    String missing = keyOf(1, "missing/");
    String orphan = keyOf(7, "orphan/");
    leader.kv().put(PutRequest.newBuilder().setKey(fresh).setValue(ByteString.copyFromUtf8("new")).build());
    FakeFollower low = follower(0, 1, 2, 3).put(fresh, "old").put(followersOnly, "f");
    FakeFollower high = follower(4, 5, 6);
    TreeSet<String> onFollowers = new TreeSet<>(FakeFollower.KEY_ORDER);
    onFollowers.addAll(List.of(fresh, followersOnly));
    for (int shard = 2; shard <= 6; shard++) {
      String key = keyOf(shard, "k/");
      (shard < 4 ? low : high).put(key, "v" + shard);
      onFollowers.add(key);
    }
    GatewayUnderTest gateway = closed(GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
        .withFollowers(addresses(low, high))));

    // The leader answers: its values and its not-found, never a follower's.
    Reply up = gateway.get("/get/" + GatewayUnderTest.encode(fresh));
    assertEquals(200, up.status(), up.body());
    assertEquals("new", up.json().get("value").asText());
    assertTrue(up.headers().firstValue("x-kv-stale").isEmpty(), up.headers().toString());
    Reply notOnLeader = gateway.get("/get/" + GatewayUnderTest.encode(followersOnly));
    assertEquals(404, notOnLeader.status(), notOnLeader.body());
    assertTrue(notOnLeader.headers().firstValue("x-kv-stale").isEmpty());
    Reply all = gateway.get("/all");
    assertEquals(1, all.json().size(), all.body());
    assertTrue(all.headers().firstValue("x-kv-stale").isEmpty());
    assertEquals(200, gateway.get("/cluster").status());

    leader.stop();

    Reply stale = gateway.get("/get/" + GatewayUnderTest.encode(fresh));
    assertEquals(200, stale.status(), stale.body());
    assertEquals("old", stale.json().get("value").asText());
    assertEquals("true", stale.headers().firstValue("x-kv-stale").orElse(null));
    assertEquals("10", stale.headers().firstValue("x-kv-applied-seq").orElse(null));
    assertEquals("0", stale.headers().firstValue("x-kv-shard").orElse(null));
    assertEquals(low.address, stale.headers().firstValue("x-kv-follower").orElse(null));

    Reply absent = gateway.get("/get/" + GatewayUnderTest.encode(missing));
    assertEquals(404, absent.status(), absent.body());
    assertEquals("Key not found", absent.error());
    assertEquals("20", absent.headers().firstValue("x-kv-applied-seq").orElse(null));

    Reply noHolder = gateway.get("/get/" + GatewayUnderTest.encode(orphan));
    assertEquals(503, noHolder.status(), noHolder.body());
    assertEquals(7, noHolder.json().get("shard").asInt());
    assertTrue(noHolder.error().startsWith("leader unreachable at " + leader.address()), noHolder.body());
    assertTrue(noHolder.error().contains("shard 7"), noHolder.body());

    Reply merged = gateway.get("/all");
    assertEquals(200, merged.status(), merged.body());
    assertEquals("true", merged.headers().firstValue("x-kv-stale").orElse(null));
    assertEquals("7", merged.headers().firstValue("x-kv-missing-shards").orElse(null));
    List<String> keys = new ArrayList<>();
    merged.json().forEach(item -> keys.add(item.get("key").asText()));
    assertEquals(new ArrayList<>(onFollowers), keys);

    Reply page = gateway.get("/all?limit=2");
    assertEquals(200, page.status(), page.body());
    assertEquals(2, page.json().get("items").size());
    assertTrue(page.json().get("has_more").asBoolean());
    assertEquals(keys.get(1), page.json().get("next_after").asText());
    assertTrue(page.json().get("stale").asBoolean());
    assertEquals("[7]", page.json().get("missing_shards").toString());

    String deletePath = "/delete/" + GatewayUnderTest.encode(fresh);
    for (Reply write : List.of(gateway.set(fresh, "lost"), gateway.delete(deletePath))) {
      assertEquals(503, write.status(), write.body());
      assertTrue(write.error().startsWith("leader unreachable at " + leader.address()), write.body());
      assertTrue(write.error().contains("writes are refused while the leader is down"), write.body());
    }
    Reply cluster = gateway.get("/cluster");
    assertEquals(503, cluster.status(), cluster.body());
    assertTrue(cluster.json().get("stale_reads").asBoolean(), cluster.body());

    leader.restart();
    Reply back = gateway.get("/get/" + GatewayUnderTest.encode(fresh));
    for (int attempt = 0; attempt < 200 && back.headers().firstValue("x-kv-stale").isPresent(); attempt++) {
      sleep(50);
      back = gateway.get("/get/" + GatewayUnderTest.encode(fresh));
    }
    assertEquals("new", back.json().get("value").asText(), back.body());
    assertTrue(back.headers().firstValue("x-kv-stale").isEmpty());
  }

  @Test
  void aHolderFailingMidStreamEndsTheArrayWithItsShard() throws IOException {
    InProcessLeader leader = closed(InProcessLeader.start(dataDir, Limits.DEFAULT));
    leader.stop(); // a gateway started while the leader is down: only --followers
    FakeFollower good = follower(0, 1, 2, 3);
    FakeFollower failing = follower(4, 5, 6, 7);
    int total = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      for (String key : FakeFollower.keysOfShard(shard, SHARDS, "key/", 400)) {
        (shard < 4 ? good : failing).put(key, "v");
        total++;
      }
    }
    failing.failListAfterPages(1); // the first page of 1,000 keys, then it goes away
    GatewayUnderTest gateway = closed(GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
        .withFollowers(addresses(good, failing))));

    Reply reply = gateway.get("/all");

    assertEquals(200, reply.status(), reply.body().substring(0, Math.min(300, reply.body().length())));
    assertEquals("", reply.headers().firstValue("x-kv-missing-shards").orElse(null));
    JsonNode array = reply.json();
    JsonNode last = array.get(array.size() - 1);
    assertTrue(last.has("error"), last.toString());
    assertTrue(last.get("error").asText().contains(failing.address), last.toString());
    assertEquals(4, last.get("shard").asInt(), last.toString());
    List<String> keys = new ArrayList<>();
    IntStream.range(0, array.size() - 1).forEach(i -> keys.add(array.get(i).get("key").asText()));
    assertTrue(keys.size() >= 1000 && keys.size() < total, "pairs before the failure: " + keys.size());
    TreeSet<String> distinct = new TreeSet<>(FakeFollower.KEY_ORDER);
    distinct.addAll(keys);
    List<String> sorted = new ArrayList<>(distinct);
    assertEquals(sorted, keys, "in key order, each once");
  }

  @Test
  void anAnsweringLeaderNeverTurnsAReadStale() throws IOException {
    FakeFollower follower = follower(IntStream.range(0, SHARDS).toArray());
    follower.put("slow", "from a follower").put("missing", "from a follower");
    Server fakeLeader = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new SlowOrFailingKv()).addService(new Cluster(follower)).build().start();
    closing.add(fakeLeader::shutdownNow);
    HostPort address = new HostPort("127.0.0.1", fakeLeader.getPort());
    var channel = GrpcClients.builder("h2c://" + address).responseTimeout(Duration.ZERO)
        .build(KVGrpc.KVStub.class).getChannel();
    Duration timeout = Duration.ofMillis(500);
    GatewayUnderTest gateway = closed(GatewayUnderTest.start(GatewayConfig.forTest(address).withLeaderTimeout(timeout),
        LeaderClient.over(address, timeout, channel, false)));
    assertEquals(200, gateway.get("/cluster").status()); // the map: the follower holds every shard

    Reply slow = gateway.get("/get/slow");
    assertEquals(504, slow.status(), slow.body());
    assertTrue(slow.headers().firstValue("x-kv-stale").isEmpty());
    Reply missing = gateway.get("/get/missing");
    assertEquals(404, missing.status(), missing.body());
    assertTrue(missing.headers().firstValue("x-kv-stale").isEmpty());
    Reply full = gateway.set("k", "v");
    assertEquals(507, full.status(), full.body());
    assertEquals(0, follower.listCalls.get());
  }

  /** A leader that answers: slowly (past every deadline) for "slow", NOT_FOUND otherwise, DISK_FULL to writes. */
  private static final class SlowOrFailingKv extends KVGrpc.KVImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
      if (!request.getKey().equals("slow")) {
        response.onError(Status.NOT_FOUND.withDescription("key not found").asRuntimeException());
      }
      // "slow": never answered; the caller's deadline ends the call.
    }

    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> response) {
      response.onError(ErrorReasons.diskFull("the leader's disk is full"));
    }
  }

  private static final class Cluster extends ClusterGrpc.ClusterImplBase {
    private final FakeFollower follower;

    Cluster(FakeFollower follower) {
      this.follower = follower;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
      response.onNext(StatusResponse.newBuilder().setLeaderId("fake").setShards(SHARDS).setReplicationFactor(1)
          .addFollowers(FollowerInfo.newBuilder().setId("f").setAddress(follower.address).setAlive(true)
              .addAllShards(IntStream.range(0, SHARDS).boxed().toList()))
          .build());
      response.onCompleted();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
