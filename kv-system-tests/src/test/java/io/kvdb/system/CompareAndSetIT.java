package io.kvdb.system;

import static org.fusesource.leveldbjni.JniDBFactory.factory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.VersionConflictException;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.testing.JavaProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compare-and-set with real processes: two clients racing on one counter, the HTTP and CLI forms of
 * a conflict, followers converging by digest (which covers versions), and a leader data dir of
 * format 1 upgraded at start.
 */
@Timeout(300)
class CompareAndSetIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void twoClientsIncrementingOneCounterByCasEndAtExactly600AndEverySurfaceReportsConflicts() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      cluster.startGateway();
      cluster.client().put("counter", utf8("0"), 0);

      ManagedChannel[] channels = {cluster.channelTo(TestCluster.LEADER, cluster.grpcPort),
          cluster.channelTo(TestCluster.LEADER, cluster.grpcPort)};
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<Integer>> racers = new ArrayList<>();
      for (ManagedChannel channel : channels) {
        KvClient client = KvClient.over(channel, TestCluster.CLIENT_OPTIONS);
        racers.add(CompletableFuture.supplyAsync(() -> increment(client, start, 300)));
      }
      start.countDown();
      int conflicts = racers.get(0).get() + racers.get(1).get();
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      assertEquals("600", cluster.client().get("counter").orElseThrow().toStringUtf8(), "no increment lost");
      assertTrue(conflicts > 0, "the clients raced: some conflicts were seen and retried");

      GetResponse counter = cluster.client().getEntry("counter").orElseThrow();
      VersionConflictException stale = assertThrows(VersionConflictException.class,
          () -> cluster.client().put("counter", utf8("x"), counter.getVersion() - 1));
      assertEquals(counter.getVersion(), stale.currentVersion());
      assertEquals(0, assertThrows(VersionConflictException.class,
          () -> cluster.client().delete("never written", 3)).currentVersion(), "0: no such key");

      httpConflicts(cluster);
      cliConflicts(cluster, counter.getVersion());
      Convergence.await(cluster, CONVERGE);
      assertEquals(cluster.client().getEntry("counter").orElseThrow().getVersion(), FollowerGrpc.newBlockingStub(cluster.follower("f1").channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).get(GetRequest.newBuilder().setKey("counter").build()).getVersion(),
          "a follower's copy has the leader's version");
    }
  }

  /** Read, increment, write if unchanged; a conflict is read again and retried. Returns the conflicts. */
  private static int increment(KvClient client, CountDownLatch start, int times) {
    try {
      start.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    int conflicts = 0;
    for (int done = 0; done < times; ) {
      GetResponse current = client.getEntry("counter").orElseThrow();
      long next = Long.parseLong(current.getValue().toStringUtf8()) + 1;
      try {
        client.put("counter", utf8(Long.toString(next)), current.getVersion());
        done++;
      } catch (VersionConflictException e) {
        conflicts++;
      }
    }
    return conflicts;
  }

  private void httpConflicts(TestCluster cluster) throws Exception {
    String base = "http://127.0.0.1:" + cluster.gatewayPort;
    HttpResponse<String> created = post(base + "/set", "{\"key\": \"h\", \"value\": \"1\", \"expected_version\": 0}");
    assertEquals(200, created.statusCode(), created.body());
    long version = number(created.body(), "version");
    assertTrue(version > 0, created.body());
    HttpResponse<String> again = post(base + "/set", "{\"key\": \"h\", \"value\": \"2\", \"expected_version\": 0}");
    assertEquals(409, again.statusCode(), again.body());
    assertEquals(version, number(again.body(), "current_version"));
    assertTrue(again.body().matches("\\{\"error\":\"version mismatch on h: .*\",\"current_version\":\\d+}"), again.body());
    HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(base + "/get/h")).GET());
    assertEquals("{\"key\":\"h\",\"value\":\"1\",\"version\":" + version + "}", read.body());
    HttpResponse<String> wrongDelete = send(HttpRequest.newBuilder(
        URI.create(base + "/delete/h?expected_version=" + (version + 1))).DELETE());
    assertEquals(409, wrongDelete.statusCode(), wrongDelete.body());
    HttpResponse<String> deleted = send(HttpRequest.newBuilder(
        URI.create(base + "/delete/h?expected_version=" + version)).DELETE());
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertTrue(number(deleted.body(), "version") > version, deleted.body());
  }

  private void cliConflicts(TestCluster cluster, long counterVersion) {
    Run conflict = cli(cluster, "put", "counter", "y", "--expect-version", "1");
    assertEquals(4, conflict.code(), conflict.output());
    assertTrue(conflict.output().contains("CONFLICT current_version=" + counterVersion), conflict.output());
    Run put = cli(cluster, "put", "counter", "601", "--expect-version", Long.toString(counterVersion));
    assertEquals(0, put.code(), put.output());
    assertTrue(Pattern.compile("OK shard=\\d+ seq=\\d+ version=\\d+ ").matcher(put.output()).find(), put.output());
  }

  @Test
  void aLeaderDataDirOfFormat1IsMigratedAtStartAndItsFollowerSyncsVersions() throws Exception {
    Path leaderDir = dir.resolve("leader");
    int shards = 8;
    ShardFunction shardOf = new ShardFunction(shards);
    long[] keysPerShard = new long[shards];
    // The format 1 layout: 'm' name -> metadata, 'd' shard(u32 BE) key -> the bare value, 's' shard -> state.
    try (DB db = factory.open(leaderDir.toFile(), new Options().createIfMissing(true))) {
      db.put(meta("format"), ByteBuffer.allocate(4).putInt(1).array());
      db.put(meta("shards"), ByteBuffer.allocate(8).putLong(shards).array());
      db.put(meta("leader_id"), utf8("format-1-leader").toByteArray());
      db.put(meta("epoch"), ByteBuffer.allocate(8).putLong(1_700_000_000_000L).array());
      for (int i = 0; i < 100; i++) {
        byte[] key = ("old-" + i).getBytes(StandardCharsets.UTF_8);
        int shard = shardOf.shardOf(key);
        keysPerShard[shard]++;
        db.put(ByteBuffer.allocate(5 + key.length).put((byte) 'd').putInt(shard).put(key).array(),
            ("value " + i).getBytes(StandardCharsets.UTF_8));
      }
      for (int shard = 0; shard < shards; shard++) {
        db.put(ByteBuffer.allocate(5).put((byte) 's').putInt(shard).array(), ByteBuffer.allocate(32)
            .putLong(keysPerShard[shard]).putLong(1_700_000_000_000L).putLong(42).putLong(keysPerShard[shard]).array());
      }
    }
    try (TestCluster cluster = new TestCluster(dir, "--shards", Integer.toString(shards))) {
      cluster.startLeader();
      assertTrue(cluster.leader().log().contains("MIGRATED data dir"), cluster.leader().log());
      assertEquals(100, cluster.status().getKeys());
      GetResponse old = cluster.client().getEntry("old-7").orElseThrow();
      assertEquals("value 7", old.getValue().toStringUtf8());
      assertTrue(old.getVersion() > 0, "a migrated key has a version");
      cluster.client().put("old-7", utf8("changed"), old.getVersion());
      // A follower's data dir of format 1 is a copy: set aside, and synced again in format 2.
      try (DB db = factory.open(dir.resolve("f1").toFile(), new Options().createIfMissing(true))) {
        db.put(meta("format"), ByteBuffer.allocate(4).putInt(1).array());
      }
      cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      Convergence.await(cluster, CONVERGE);
      assertTrue(cluster.follower("f1").log().contains("DATA DIR OF AN OLDER FORMAT"), cluster.follower("f1").log());
    }
  }

  private static byte[] meta(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + bytes.length).put((byte) 'm').put(bytes).array();
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The whole-number field {@code name} of a JSON object. */
  private static long number(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
    assertTrue(matcher.find(), "no " + name + " in " + json);
    return Long.parseLong(matcher.group(1));
  }

  private record Run(int code, String output) {}

  private Run cli(TestCluster cluster, String... args) {
    List<String> full = new ArrayList<>(List.of("--leader", "127.0.0.1:" + cluster.grpcPort));
    full.addAll(List.of(args));
    try (JavaProcess cli = JavaProcess.start("kv-" + args[0], JavaProcess.jarOf("kv-cli"), dir.resolve("logs"),
        full.toArray(String[]::new))) {
      assertTrue(cli.waitFor(Duration.ofSeconds(120)), "kv " + args[0] + " did not finish:\n" + cli.log());
      return new Run(cli.exitValue(), cli.logSinceStart());
    }
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
