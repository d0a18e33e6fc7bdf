package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CURVE on the replication ports, on real processes with keys made by {@code kv keygen}: the
 * authorized follower converges; a follower with a key the leader does not list, one without
 * CURVE, and one that uses f1's key under another id never become members and receive nothing,
 * while writes flow to the authorized one. Then the stranger's key is added to the leader's
 * authorized keys file, and the same stranger process joins and converges without any restart:
 * the refusal came from the key, nothing else.
 */
@Timeout(300)
class CurveReplicationIT {
  private static final int SHARDS = 8;
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void onlyFollowersWithAnAuthorizedKeyReplicate() throws Exception {
    Path keys = dir.resolve("keys");
    assertEquals(0, keygen(keys, "leader", "f1", "stranger"), "keygen failed");
    assertEquals(2, keygen(keys, "f1"), "keygen must refuse to overwrite a key");
    Path authorized = Files.writeString(keys.resolve("authorized_keys"),
        "# followers allowed to replicate\n" + Files.readString(keys.resolve("f1.pub")));
    String leaderPub = keys.resolve("leader.pub").toString();

    try (TestCluster cluster = new TestCluster(dir, "--shards", Integer.toString(SHARDS),
        "--curve-secret-key-file", keys.resolve("leader.key").toString(),
        "--curve-authorized-keys", authorized.toString())) {
      cluster.startLeader();
      cluster.addFollower("f1", "--curve-key-file", keys.resolve("f1.key").toString(),
          "--leader-curve-public-key", leaderPub);
      // Without CURVE: neither side logs the failed greeting, so it starts first, and the refusals
      // awaited below, of followers started after it, show that it has had as long to try.
      cluster.addFollower("plain");
      cluster.addFollower("stranger", "--curve-key-file", keys.resolve("stranger.key").toString(),
          "--leader-curve-public-key", leaderPub);
      // f1's own key, under another id: the handshake succeeds, the hello does not.
      cluster.addFollower("impostor", "--curve-key-file", keys.resolve("f1.key").toString(),
          "--leader-curve-public-key", leaderPub);
      String strangerKey = Files.readString(keys.resolve("stranger.pub")).strip().split(" ")[1];

      cluster.awaitAlive("f1");
      Load load = new Load(cluster.client(), "curve", 4, 100).run(250);
      assertEquals(1000, load.acknowledged());
      Convergence.await(cluster, CONVERGE);
      // Each refused follower has tried, and was told no, while f1 took the writes.
      cluster.await("the leader refuses the stranger's key", CONVERGE, () -> {
        String log = cluster.leader().log();
        return log.contains("refused a replication connection") && log.contains(strangerKey);
      });
      cluster.await("the stranger says why it cannot join", CONVERGE,
          () -> cluster.follower("stranger").log().contains("refused this process's key"));
      cluster.await("the impostor learns that f1's key is not its own", CONVERGE,
          () -> cluster.follower("impostor").log().contains("authorized for follower id(s) [f1]"));

      List<String> members = cluster.status().getFollowersList().stream().map(FollowerInfo::getId).toList();
      assertEquals(List.of("f1"), members, "only the authorized follower is known to the leader");
      FollowerInfo f1 = cluster.info("f1");
      assertEquals(SHARDS, f1.getShardsCount(), "with R=1 and one member, f1 holds every shard");
      for (String refused : new String[] {"stranger", "plain", "impostor"}) {
        FollowerStatusResponse status = cluster.follower(refused).status();
        assertEquals(refused.equals("impostor") ? "refused" : "connecting", status.getState(),
            refused + " got past the leader: " + status);
        assertEquals(0, status.getShardsCount(), refused + " holds shards: " + status);
      }
      assertTrue(cluster.leader().log().contains("refused a HELLO from impostor"),
          "the leader logs the impostor's refusal\n" + cluster.logTails());
      assertNoData(cluster.follower("plain"));
      assertNoData(cluster.follower("impostor"));

      // Authorizing the stranger's key lets the very same process in: the file is re-read.
      Files.writeString(authorized, Files.readString(keys.resolve("stranger.pub")), StandardOpenOption.APPEND);
      cluster.awaitAlive("stranger");
      Convergence.await(cluster, CONVERGE);
      assertEquals(0, load.verify(cluster.client()).lost());
      assertFalse(cluster.status().getFollowersList().stream().anyMatch(f -> f.getId().equals("plain")),
          "the follower without CURVE stays out");
    }
  }

  /** Stops the follower and reads its data dir: not a single key in any shard. */
  private static void assertNoData(TestCluster.Follower follower) {
    follower.process.terminate(Duration.ofSeconds(20));
    try (KvStore store = KvStore.open(follower.dataDir, false)) {
      for (int shard = 0; shard < SHARDS; shard++) {
        try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
          assertFalse(cursor.next(), follower.id + " holds a key of shard " + shard);
        }
        assertEquals(0, store.shardState(shard).seq(), follower.id + " applied events of shard " + shard);
      }
    }
  }

  /** Runs {@code kv keygen} as the launcher does: the leader jar's KeyGen class. */
  private static int keygen(Path dir, String... names) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", JavaProcess.jarOf("kv-leader").toString(), "io.kvdb.leader.KeyGen", dir.toString()));
    command.addAll(List.of(names));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keygen hangs: " + output);
    System.out.print(output);
    return process.exitValue();
  }
}
