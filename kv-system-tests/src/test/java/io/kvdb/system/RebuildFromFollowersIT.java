package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.testing.JavaProcess;
import io.kvdb.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario: R=1, two followers; 10,000 keys written with min_acks=1, 1,000 deleted, the
 * leader killed with kill -9 and its data dir deleted, then {@code kv leader
 * --rebuild-from-followers}: exactly the 9,000 live keys with their last values, GET /all as before
 * the loss, every copy equal by digest (kv verify), no snapshot installed by a follower, and writes go on.
 * Also: followers served with TLS and tokens, dialled with the kv client's flags (a wrong CA or token
 * refused, naming the follower); shards no follower held, listed as missing_shards and refused for writes.
 */
@Timeout(420)
class RebuildFromFollowersIT {
  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final String READ_TOKEN = "it-read-token-4c9d2e7a51b3";
  private static final String WRITE_TOKEN = "it-write-token-8a1f6c3e09d2";

  @TempDir Path dir;

  @Test
  void leaderLostWithItsDiskIsRebuiltFromItsFollowersWithNoSnapshotInstall() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "64")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      cluster.startGateway();

      Map<String, String> model = new TreeMap<>();
      KvClient acked = cluster.client().withAcks(1, Duration.ofSeconds(10));
      List<CompletableFuture<WriteResponse>> writes = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String key = String.format("key-%05d", i);
        model.put(key, "value-" + i);
        writes.add(acked.putAsync(key, ByteString.copyFromUtf8("value-" + i)));
        if (writes.size() == 64) {
          awaitAcked(writes);
        }
      }
      awaitAcked(writes);
      for (int i = 0; i < 10_000; i += 10) {
        String key = String.format("key-%05d", i);
        model.remove(key);
        assertTrue(cluster.client().withAcks(1, Duration.ofSeconds(10)).delete(key).orElseThrow().getAcks() >= 1);
      }
      Map<Integer, ShardDigest> before = Convergence.await(cluster, CONVERGE);
      String allBefore = getAll(cluster);
      String leaderId = cluster.status().getLeaderId();
      long epochBefore = cluster.status().getEpoch();
      Map<String, Integer> followerLogs = Map.of("f1", cluster.follower("f1").log().length(),
          "f2", cluster.follower("f2").log().length());

      cluster.leader().kill();
      delete(dir.resolve("leader"));
      String followers = "127.0.0.1:" + cluster.follower("f1").grpcPort + ",127.0.0.1:" + cluster.follower("f2").grpcPort;
      cluster.startLeader(dir.resolve("leader"), "--rebuild-from-followers", followers);
      String leaderLog = cluster.leader().logSinceStart();
      assertTrue(leaderLog.contains("rebuilt leader " + leaderId + " (64 shards) from 2 followers: 64 shards in place,"
          + " missing []"), leaderLog);

      assertEquals(leaderId, cluster.status().getLeaderId(), "the leader id is kept");
      assertTrue(cluster.status().getEpoch() > epochBefore, "an epoch above every one the followers saw");
      assertEquals(9_000, cluster.status().getKeys());
      assertEquals(before, Convergence.leaderDigests(cluster), "every shard's seq, keys and digest as before");
      assertEquals(model, all(cluster.client()), "exactly the 9,000 live keys with their last values");
      assertEquals(allBefore, getAll(cluster), "GET /all as before the loss");

      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);
      Run verify = cli(cluster, "verify");
      assertEquals(0, verify.code, verify.output);
      assertTrue(verify.output.contains("64 shard copies match the leader, 0 lagging (retry), 0 differ"), verify.output);
      for (String id : List.of("f1", "f2")) {
        String since = cluster.follower(id).log().substring(followerLogs.get(id));
        assertFalse(since.contains("taking a snapshot"), id + " resumed with no snapshot install:\n" + since);
      }

      acked.put("after-rebuild", ByteString.copyFromUtf8("yes"));
      new Load(cluster.client(), "after", 4, 50).run(50);
      Convergence.await(cluster, CONVERGE);
      assertEquals("yes", cluster.client().get("after-rebuild").orElseThrow().toStringUtf8());
    }
  }

  @Test
  void underLoadEveryWriteAcknowledgedByAFollowerBeforeTheKillIsInTheRebuiltLeader() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "16")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      KvClient acked = cluster.client().withAcks(1, Duration.ofSeconds(5));
      Load load = new Load(new Load.Writer() {
        @Override
        public void put(String key, String value) {
          if (acked.put(key, ByteString.copyFromUtf8(value)).getAcks() < 1) {
            throw new IllegalStateException("no follower acknowledged it in time: unknown");
          }
        }

        @Override
        public boolean delete(String key) {
          Optional<WriteResponse> reply = acked.delete(key);
          if (reply.isPresent() && reply.get().getAcks() < 1) {
            throw new IllegalStateException("no follower acknowledged it in time: unknown");
          }
          return reply.isPresent();
        }
      }, "load", 8, 200).start(1_000_000);
      cluster.await("writes acknowledged under load", Duration.ofSeconds(60), () -> load.acknowledged() >= 3000);
      Map<String, Integer> followerLogs = Map.of("f1", cluster.follower("f1").log().length(),
          "f2", cluster.follower("f2").log().length());

      cluster.leader().kill(); // mid-load
      load.stop();
      delete(dir.resolve("leader"));
      cluster.startLeader(dir.resolve("leader"), "--rebuild-from-followers",
          "127.0.0.1:" + cluster.follower("f1").grpcPort + ",127.0.0.1:" + cluster.follower("f2").grpcPort);

      Load.Verdict verdict = load.verify(cluster.client());
      assertEquals(0, verdict.lost(), "acknowledged writes lost: " + verdict.examples());
      assertEquals(0, verdict.resurrected(), "acknowledged deletes undone: " + verdict.examples());
      assertTrue(verdict.checked() > 1000, "keys checked: " + verdict.checked());
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);
      for (String id : List.of("f1", "f2")) {
        String since = cluster.follower(id).log().substring(followerLogs.get(id));
        assertFalse(since.contains("taking a snapshot"), id + " resumed with no snapshot install:\n" + since);
      }
    }
  }

  @Test
  void shardsNoFollowerHeldAreRefusedForWritesAndAFollowerComingBackWithThemKeepsItsData() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "16")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      new Load(cluster.client(), "k", 4, 100).run(100);
      Convergence.await(cluster, CONVERGE);
      List<Integer> onF2 = cluster.info("f2").getShardsList();
      long f2Keys = keys(cluster.follower("f2").status());
      assertFalse(onF2.isEmpty());

      // The leader and f2 are lost; the leader is rebuilt from f1 alone.
      cluster.leader().kill();
      cluster.follower("f2").process.terminate(Duration.ofSeconds(20));
      delete(dir.resolve("leader"));
      cluster.startLeader(dir.resolve("leader"), "--rebuild-from-followers",
          "127.0.0.1:" + cluster.follower("f1").grpcPort);
      String leaderLog = cluster.leader().logSinceStart();
      assertTrue(leaderLog.contains("missing " + onF2), leaderLog);
      assertTrue(leaderLog.contains("writes to them are refused until the leader is restarted with"
          + " --allow-missing-shards"), leaderLog);
      assertEquals(onF2, cluster.status().getMissingShardsList(), "Cluster.Status lists the missing shards");
      Run status = cli(cluster, "status");
      assertTrue(status.output.contains("\nmissing shards (no copy when rebuilt, writes refused until"
          + " --allow-missing-shards): " + onF2 + "\n"), status.output);
      String inMissing = keyIn(cluster, onF2.get(0));
      KvException refused = assertThrowsKv(() -> cluster.client().put(inMissing, ByteString.copyFromUtf8("x")));
      assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, refused.code());
      assertTrue(refused.getMessage().contains("shard " + onF2.get(0) + " is missing"), refused.getMessage());

      // f2 comes back holding copies of the missing shards: refused, its data kept, its status says why.
      cluster.follower("f2").start();
      cluster.await("f2 is refused", Duration.ofSeconds(30),
          () -> cluster.follower("f2").status().getState().equals("refused"));
      String reason = cluster.follower("f2").status().getReason();
      assertTrue(reason.contains("that this leader was rebuilt without; it keeps its data"), reason);
      assertEquals(f2Keys, keys(cluster.follower("f2").status()), "f2 keeps its data");

      // The operator accepts the missing shards empty: writes to them are taken; f2 stays refused.
      cluster.leader().terminate(Duration.ofSeconds(20));
      cluster.startLeader(dir.resolve("leader"), "--allow-missing-shards");
      assertEquals(List.of(), cluster.status().getMissingShardsList(), "accepted empty: none missing any more");
      cluster.client().put(inMissing, ByteString.copyFromUtf8("x"));
      assertEquals("refused", cluster.follower("f2").status().getState());
      assertEquals(f2Keys, keys(cluster.follower("f2").status()), "f2 still keeps its data");
    }
  }

  @Test
  void followersServedWithTlsAndTokensAreDialledWithTheClientFlagsAndAWrongCaOrTokenIsRefusedNamingTheFollower()
      throws Exception {
    TestCertificates.Pem tls = TestCertificates.selfSigned(dir, "cluster");
    TestCertificates.Pem stranger = TestCertificates.selfSigned(dir, "stranger");
    Path tokens = Files.writeString(dir.resolve("tokens"), "read " + READ_TOKEN + "\nwrite " + WRITE_TOKEN + "\n");
    String[] secured = {"--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString(),
        "--token-file", tokens.toString()};
    String[] leaderArgs = {"--shards", "8", secured[0], secured[1], secured[2], secured[3], secured[4], secured[5]};
    try (TestCluster cluster = new TestCluster(dir, leaderArgs).secureClients(tls.cert(), WRITE_TOKEN)) {
      cluster.startLeader();
      cluster.addFollower("f1", secured);
      cluster.addFollower("f2", secured);
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      new Load(cluster.client(), "tls", 4, 100).run(100);
      Map<Integer, ShardDigest> before = Convergence.await(cluster, CONVERGE);
      String leaderId = cluster.status().getLeaderId();
      Map<String, Integer> followerLogs = Map.of("f1", cluster.follower("f1").log().length(),
          "f2", cluster.follower("f2").log().length());

      cluster.leader().kill();
      delete(dir.resolve("leader"));
      String f1 = "127.0.0.1:" + cluster.follower("f1").grpcPort;
      String followers = f1 + ",127.0.0.1:" + cluster.follower("f2").grpcPort;

      // A CA the followers' certificate is not from, then a token they do not know: refused, naming
      // the follower and the flag to check, and nothing is written.
      String wrongCa = failedRebuild(cluster, "wrong-ca", followers, "--tls-ca", stranger.cert().toString(),
          "--token", READ_TOKEN);
      assertTrue(wrongCa.contains("rebuild from followers refused: follower " + f1 + " refused the rebuild's call:"
          + " UNAVAILABLE") && wrongCa.contains("--tls-ca must hold the server's certificate or its CA"), wrongCa);
      String wrongToken = failedRebuild(cluster, "wrong-token", followers, "--tls-ca", tls.cert().toString(),
          "--token", "not-the-token-0123456789");
      assertTrue(wrongToken.contains("rebuild from followers refused: follower " + f1 + " refused the rebuild's call:"
          + " UNAUTHENTICATED") && wrongToken.contains("check --token / KV_TOKEN"), wrongToken);

      // The CA and a read token, as the kv client takes them: rebuilt, and the followers resume.
      cluster.startLeader(dir.resolve("leader"), "--rebuild-from-followers", followers, "--tls-ca",
          tls.cert().toString(), "--token", READ_TOKEN);
      String leaderLog = cluster.leader().logSinceStart();
      assertTrue(leaderLog.contains("rebuilt leader " + leaderId + " (8 shards) from 2 followers: 8 shards in place,"
          + " missing []"), leaderLog);
      assertEquals(before, Convergence.leaderDigests(cluster), "every shard's seq, keys and digest as before");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);
      for (String id : List.of("f1", "f2")) {
        String since = cluster.follower(id).log().substring(followerLogs.get(id));
        assertFalse(since.contains("taking a snapshot"), id + " resumed with no snapshot install:\n" + since);
      }
      cluster.client().put("after-rebuild", ByteString.copyFromUtf8("yes"));
    }
  }

  /** A rebuild that must be refused: exit 3 with nothing written; returns its log. */
  private String failedRebuild(TestCluster cluster, String name, String followers, String... access) {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--grpc-port", Integer.toString(cluster.grpcPort),
        "--pub-port", Integer.toString(cluster.pubPort), "--control-port", Integer.toString(cluster.controlPort),
        "--metrics-port", Integer.toString(cluster.metricsPort), "--data-dir", dir.resolve("leader").toString(),
        "--shards", "8", "--rebuild-from-followers", followers));
    args.addAll(List.of(access));
    try (JavaProcess leader = JavaProcess.start("leader-" + name, JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
        args.toArray(String[]::new))) {
      assertTrue(leader.waitFor(Duration.ofSeconds(90)), "the rebuild did not end:\n" + leader.log());
      assertEquals(3, leader.exitValue(), leader.log());
      assertFalse(Files.exists(dir.resolve("leader")), "nothing was written:\n" + leader.log());
      return leader.log();
    }
  }

  private static long keys(io.kvdb.api.v1.FollowerStatusResponse status) {
    return status.getShardsList().stream().mapToLong(ShardDigest::getKeys).sum();
  }

  private static String keyIn(TestCluster cluster, int shard) {
    for (int i = 0; ; i++) {
      String key = "probe-" + i;
      if (new io.kvdb.core.sharding.ShardFunction(16).shardOf(key) == shard) {
        return key;
      }
    }
  }

  private static KvException assertThrowsKv(Runnable call) {
    try {
      call.run();
    } catch (KvException e) {
      return e;
    }
    throw new AssertionError("the call was not refused");
  }

  private static void awaitAcked(List<CompletableFuture<WriteResponse>> writes) throws Exception {
    for (CompletableFuture<WriteResponse> write : writes) {
      WriteResponse reply = write.get(60, TimeUnit.SECONDS);
      assertTrue(reply.getAcks() >= 1, "acknowledged by a follower: " + reply);
    }
    writes.clear();
  }

  private static Map<String, String> all(KvClient client) {
    try (Stream<KeyValue> pairs = client.list("")) {
      return pairs.collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().toStringUtf8(), (a, b) -> a,
          TreeMap::new));
    } catch (KvException e) {
      throw new AssertionError(e);
    }
  }

  private static String getAll(TestCluster cluster) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + cluster.gatewayPort + "/all")).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, reply.statusCode(), reply.body());
    return reply.body();
  }

  private record Run(int code, String output) {}

  private Run cli(TestCluster cluster, String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "--leader";
    full[1] = "127.0.0.1:" + cluster.grpcPort;
    System.arraycopy(args, 0, full, 2, args.length);
    try (JavaProcess cli = JavaProcess.start("kv-" + args[0], JavaProcess.jarOf("kv-cli"), dir.resolve("logs"), full)) {
      assertTrue(cli.waitFor(Duration.ofSeconds(120)), "kv " + args[0] + " did not finish:\n" + cli.log());
      return new Run(cli.exitValue(), cli.logSinceStart());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(file);
      }
    }
  }
}
