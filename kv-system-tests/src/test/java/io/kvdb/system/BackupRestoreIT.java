package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kv backup of a live leader, the leader lost with its data dir, kv restore, a leader started on the
 * restored dir: its followers, ahead of it, converge back to it by digest, and writes go on. A
 * corrupted and a truncated backup file are refused (exit 1) and leave nothing behind. Real
 * processes from the packaged jars; restore runs from the leader's jar, as {@code ./kv restore} does.
 */
@Timeout(300)
class BackupRestoreIT {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void leaderLostWithItsDataIsRestoredFromABackupAndItsFollowersConvergeToIt() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "16")) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.addFollower("f2");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      new Load(cluster.client(), "kept", 8, 100).run(150);
      Map<Integer, ShardDigest> backedUp = Convergence.await(cluster, CONVERGE);

      Path backup = dir.resolve("backups").resolve("cluster.kvdump");
      Files.createDirectories(backup.getParent());
      Run backupRun = cli("backup", "--leader", "127.0.0.1:" + cluster.grpcPort, "backup", backup.toString());
      assertEquals(0, backupRun.code, backupRun.output);
      assertTrue(backupRun.output.contains("backup of leader " + cluster.status().getLeaderId()), backupRun.output);
      assertEquals(List.of("cluster.kvdump"), names(backup.getParent()), "the file, no partial one");

      // Writes after the backup reach the followers: they end up ahead of the restored leader.
      new Load(cluster.client(), "lost", 8, 100).run(50);
      Convergence.await(cluster, CONVERGE);
      long epochBefore = cluster.status().getEpoch();

      cluster.leader().kill();
      delete(dir.resolve("leader"));
      Run restore = restore(backup, dir.resolve("leader"));
      assertEquals(0, restore.code, restore.output);
      assertTrue(restore.output.contains("restored leader "), restore.output);

      cluster.startLeader();
      assertEquals(backedUp, Convergence.leaderDigests(cluster), "the restored leader is the backed-up one");
      assertTrue(cluster.status().getEpoch() > epochBefore, "a new epoch");
      cluster.awaitAlive("f1");
      cluster.awaitAlive("f2");
      assertEquals(backedUp, Convergence.await(cluster, CONVERGE), "followers re-synced to the restored leader");
      assertTrue(cluster.follower("f1").log().contains("taking a snapshot")
          || cluster.follower("f2").log().contains("taking a snapshot"), "followers ahead re-synced by snapshot");

      cluster.client().put("after-restore", ByteString.copyFromUtf8("yes"));
      new Load(cluster.client(), "after", 4, 50).run(50);
      Convergence.await(cluster, CONVERGE);
      assertEquals("yes", cluster.client().get("after-restore").orElseThrow().toStringUtf8());
    }
  }

  @Test
  void corruptedAndTruncatedBackupsAreRefusedWithExit1AndLeaveNothingBehind() throws Exception {
    Path backup = dir.resolve("good.kvdump");
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8")) {
      cluster.startLeader();
      new Load(cluster.client(), "k", 4, 100).run(100);
      Run backupRun = cli("backup", "--leader", "127.0.0.1:" + cluster.grpcPort, "backup", backup.toString());
      assertEquals(0, backupRun.code, backupRun.output);
    }
    long size = Files.size(backup);

    Path corrupted = Files.copy(backup, dir.resolve("corrupted.kvdump"));
    try (RandomAccessFile file = new RandomAccessFile(corrupted.toFile(), "rw")) {
      file.seek(size / 2);
      int b = file.read();
      file.seek(size / 2);
      file.write(b ^ 0x01);
    }
    Path truncated = dir.resolve("truncated.kvdump");
    try (var in = Files.newInputStream(backup)) {
      Files.write(truncated, in.readNBytes((int) (size * 2 / 3)));
    }
    for (Path bad : List.of(corrupted, truncated)) {
      Path target = dir.resolve("restored");
      Run run = restore(bad, target);
      assertEquals(1, run.code, run.output);
      assertTrue(run.output.matches("(?s).*kv restore: refused: .*: frame \\d+ at byte \\d+: .*"), run.output);
      assertTrue(run.output.contains(bad == corrupted ? "checksum mismatch" : "truncated"), run.output);
      assertFalse(Files.exists(target), "no data dir");
      assertTrue(names(dir).stream().noneMatch(name -> name.contains("partial")), "no temporary dir: " + names(dir));
    }
  }

  private record Run(int code, String output) {}

  private Run cli(String name, String... args) {
    try (JavaProcess cli = JavaProcess.start(name, JavaProcess.jarOf("kv-cli"), dir.resolve("logs"), args)) {
      assertTrue(cli.waitFor(Duration.ofSeconds(120)), name + " did not finish:\n" + cli.log());
      return new Run(cli.exitValue(), cli.logSinceStart());
    }
  }

  /** What {@code ./kv restore} runs: the leader's jar, its RestoreMain. */
  private Run restore(Path file, Path dataDir) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", JavaProcess.jarOf("kv-leader").toString(), "io.kvdb.leader.RestoreMain", file.toString(), "--data-dir",
        dataDir.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "restore did not finish");
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(file);
      }
    }
  }
}
