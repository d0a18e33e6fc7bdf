package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.client.KvClient;
import io.kvdb.client.VersionConflictException;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version is never issued twice: a compare-and-set with a version that a restore from an older
 * backup, a rebuild from followers, or an async-mode crash that lost the unsynced tail took away
 * gets a conflict, and the key's next versions are all above it. Real processes, async mode.
 */
@Timeout(600)
class VersionReuseIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String KEY = "account";

  @TempDir Path dir;

  @Test
  void versionsLostToARestoreARebuildOrALostTailAreNeverIssuedAgain() throws Exception {
    Path leaderDir = dir.resolve("leader");
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8", "--durability", "async")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");

      // (a) A restore from a backup older than the last write.
      put(cluster.client(), "before the backup");
      Path backup = dir.resolve("account.kvdump");
      Run backupRun = run(cluster, "kv-backup", "-jar", JavaProcess.jarOf("kv-cli").toString(),
          "--leader", "127.0.0.1:" + cluster.grpcPort, "backup", backup.toString());
      assertEquals(0, backupRun.code, backupRun.output);
      long lostToRestore = put(cluster.client(), "after the backup");
      cluster.leader().kill();
      delete(leaderDir);
      Run restore = run(cluster, "kv-restore", "-cp", JavaProcess.jarOf("kv-leader").toString(),
          "io.kvdb.leader.RestoreMain", backup.toString(), "--data-dir", leaderDir.toString());
      assertEquals(0, restore.code, restore.output);
      cluster.startLeader();
      assertLost(cluster.client(), lostToRestore);
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);

      // (b) A rebuild from followers that never got the last write.
      cluster.follower("f1").process.kill();
      cluster.follower("f2").process.kill();
      long lostToRebuild = put(cluster.client(), "only on the leader");
      cluster.leader().kill();
      delete(leaderDir);
      cluster.follower("f1").start();
      cluster.follower("f2").start();
      cluster.startLeader(leaderDir, "--rebuild-from-followers", "127.0.0.1:" + cluster.follower("f1").grpcPort
          + ",127.0.0.1:" + cluster.follower("f2").grpcPort);
      assertLost(cluster.client(), lostToRebuild);
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);

      // (c) An OS crash in async mode that drops the unsynced tail: the data dir as it was at point
      // A (a copy of the stopped leader's), after writes that reached clients and followers.
      cluster.leader().terminate(Duration.ofSeconds(30));
      Path pointA = dir.resolve("leader-at-A");
      copy(leaderDir, pointA);
      cluster.startLeader();
      long lostTail = 0;
      for (int i = 0; i < 20; i++) {
        lostTail = put(cluster.client(), "tail " + i);
      }
      cluster.leader().kill();
      delete(leaderDir);
      copy(pointA, leaderDir);
      cluster.startLeader();
      assertLost(cluster.client(), lostTail);
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, CONVERGE);
    }
  }

  private static long put(KvClient client, String value) {
    return client.put(KEY, ByteString.copyFromUtf8(value)).getVersion();
  }

  /**
   * {@code lost} was the key's version before the leader lost it: a CAS with it conflicts, and
   * so it does after the key's next writes, whose versions are all above it.
   */
  private static void assertLost(KvClient client, long lost) {
    long current = client.getEntry(KEY).orElseThrow().getVersion();
    assertTrue(current < lost, "the key is back at an older version: " + current + " < " + lost);
    VersionConflictException conflict = assertThrows(VersionConflictException.class,
        () -> client.put(KEY, ByteString.copyFromUtf8("cas on a lost version"), lost));
    assertEquals(current, conflict.currentVersion());
    for (int i = 0; i < 5; i++) {
      long next = client.put(KEY, ByteString.copyFromUtf8("after " + i)).getVersion();
      assertTrue(next > lost, "a new version " + next + " lies above the lost " + lost);
    }
    assertThrows(VersionConflictException.class, () -> client.put(KEY, ByteString.copyFromUtf8("again"), lost));
  }

  private record Run(int code, String output) {}

  private Run run(TestCluster cluster, String name, String... javaArgs) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(javaArgs));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), name + " did not finish");
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
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
