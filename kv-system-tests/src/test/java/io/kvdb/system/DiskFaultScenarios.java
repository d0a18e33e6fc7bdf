package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.system.FaultSummary.Row;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Scenario 6 of the fault suite, disk trouble: the leader's data dir read-only or its disk full at
 * start (a clear error, exit 3, data intact), the leader's disk filling up under load (writes
 * refused with RESOURCE_EXHAUSTED, reads served, writes back once space is freed, nothing lost), a
 * follower's disk filling up (it pauses, then catches up), and a follower data dir damaged at the
 * LevelDB level (detected, set aside, rebuilt from the leader).
 */
final class DiskFaultScenarios {
  private final Path dir;
  private final Random random;
  private final FaultSummary summary;
  private final Scale scale = Scale.current();

  DiskFaultScenarios(Path dir, Random random, FaultSummary summary) {
    this.dir = dir;
    this.random = random;
    this.summary = summary;
  }

  void leaderRefusesAReadOnlyOrFullDataDirAndKeepsItsData() throws IOException {
    Path base = dir.resolve("6a");
    Path logs = base.resolve("logs");
    try (Mounts mounts = new Mounts(); TestCluster cluster = new TestCluster(base, "--shards", "8")) {
      Path data = base.resolve("leader");
      cluster.startLeader(data);
      Load load = new Load(cluster.client(), "s6a", 4, 500).run(500);
      cluster.leader().terminate(Duration.ofSeconds(20));

      mounts.readOnly(data);
      JavaProcess readOnly = DiskTrouble.leaderThatMustExit(logs, data);
      assertEquals(3, readOnly.exitValue(), readOnly.log());
      assertTrue(readOnly.logSinceStart().contains("not writable"), readOnly.log());
      mounts.unmount(data);

      Path full = mounts.tmpfs(base.resolve("full"), "4m");
      DiskTrouble.fill(full.resolve("filler"), Long.MAX_VALUE);
      JavaProcess onFullDisk = DiskTrouble.leaderThatMustExit(logs, full.resolve("leader"), "--min-free-disk", "1m");
      assertEquals(3, onFullDisk.exitValue(), "a clear refusal, not a crash:\n" + onFullDisk.log());
      assertTrue(onFullDisk.logSinceStart().contains("--min-free-disk"), onFullDisk.log());

      cluster.startLeader(data); // the refused starts changed nothing
      Load.Verdict verdict = load.verify(cluster.client());
      summary.add(new Row("6a. leader dir read-only, disk full at start", load.acknowledged(), load.failed(),
          load.keysTouched(), verdict.lost(), verdict.resurrected(), null));
      assertEquals(0, verdict.lost() + verdict.resurrected(), verdict.examples().toString());
    }
  }

  void leaderRefusesWritesWhileItsDiskIsFullAndResumes() throws IOException {
    Path base = dir.resolve("6b");
    long reserve = 8 << 20;
    try (Mounts mounts = new Mounts();
        TestCluster cluster = new TestCluster(base, "--shards", "8", "--min-free-disk", Long.toString(reserve))) {
      Path disk = mounts.tmpfs(base.resolve("disk"), "32m");
      cluster.startLeader(disk.resolve("leader"));
      cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      cluster.kv().put(put("s6b-before"));
      Load load = new Load(cluster.client(), "s6b", scale.workers(), scale.keysPerWorker()).start(1_000_000);
      FaultSuiteIT.awaitProgress(cluster, load, 300);

      // Leave about 1 MiB above the reserve: the load eats it.
      Path filler = disk.resolve("filler");
      DiskTrouble.fill(filler, Files.getFileStore(disk).getUsableSpace() - reserve - (1 << 20));
      cluster.await("a write is refused with RESOURCE_EXHAUSTED", Duration.ofSeconds(120),
          () -> probe(cluster) == Status.Code.RESOURCE_EXHAUSTED);
      StatusRuntimeException refused =
          assertThrows(StatusRuntimeException.class, () -> cluster.kv().put(put("s6b-probe")));
      assertEquals(ErrorReasons.DISK_FULL, StatusProto.fromThrowable(refused).getDetails(0).unpack(ErrorInfo.class)
          .getReason(), "the refusal says it is the disk, not the request's size");
      assertTrue(cluster.leader().isAlive(), "the leader keeps running");
      assertEquals("x", cluster.kv().get(GetRequest.newBuilder().setKey("s6b-before").build()).getValue()
          .toStringUtf8(), "reads are still served");

      Files.delete(filler);
      long healed = System.nanoTime();
      cluster.await("writes are accepted again", Duration.ofSeconds(60), () -> probe(cluster) == Status.Code.OK);
      FaultSuiteIT.finish("6b. leader disk fills up under load", cluster, load, healed, summary);
      assertTrue(load.failed() > 0, "the load met the full disk");
      assertTrue(cluster.leader().logSinceStart().contains("almost full"), "the leader says why it refuses writes");
    }
  }

  /**
   * f1's data dir is a small tmpfs, filled up under load: f1 stops applying events short of its
   * reserve (and says why) instead of dying of a full disk, the leader keeps accepting writes; once
   * space is freed f1 catches up from the leader and holds the same data.
   */
  void followerStopsApplyingWhileItsDiskIsFullAndCatchesUp() throws IOException {
    Path base = dir.resolve("6e");
    long reserve = 8 << 20;
    try (Mounts mounts = new Mounts(); TestCluster cluster = new TestCluster(base, "--shards", "8")) {
      cluster.startLeader();
      Path disk = mounts.tmpfs(base.resolve("f1"), "32m"); // f1's data dir
      TestCluster.Follower f1 = cluster.addFollower("f1", "--min-free-disk", Long.toString(reserve));
      cluster.awaitAlive("f1");
      Load load = new Load(cluster.client(), "s6e", scale.workers(), scale.keysPerWorker()).start(1_000_000);
      FaultSuiteIT.awaitProgress(cluster, load, 300);

      // Leave about 1 MiB above f1's reserve: replication eats it.
      Path filler = disk.resolve("filler");
      DiskTrouble.fill(filler, Files.getFileStore(disk).getUsableSpace() - reserve - (1 << 20));
      cluster.await("f1 says its disk is almost full", Duration.ofSeconds(120),
          () -> f1.process.logSinceStart().contains("almost full"));
      FaultSuiteIT.awaitProgress(cluster, load, 1000); // writes go on meanwhile
      assertTrue(f1.process.isAlive(), "f1 keeps running:\n" + f1.process.log());
      long free = Files.getFileStore(disk).getUsableSpace();
      assertTrue(free > reserve / 2, "f1 stopped writing near its reserve, " + free + " bytes are still free");

      Files.delete(filler);
      long healed = System.nanoTime();
      FaultSuiteIT.finish("6e. follower disk fills up under load", cluster, load, healed, summary);
      assertEquals(0, load.failed(), "a follower's full disk does not refuse writes on the leader");
      assertTrue(f1.process.logSinceStart().contains("accepting writes"), "f1 says when it writes again");
    }
  }

  /** Damages f3's data dir while it is stopped (its CURRENT file, or a table or log file), then restarts it. */
  void damagedFollowerDataDirIsSetAsideAndRebuilt(TestCluster cluster, boolean currentFile) throws IOException {
    TestCluster.Follower victim = cluster.follower("f3");
    Load load = new Load(cluster.client(), currentFile ? "s6c" : "s6d", scale.workers(), scale.keysPerWorker())
        .start(1_000_000);
    FaultSuiteIT.awaitProgress(cluster, load, 1000);
    victim.process.terminate(Duration.ofSeconds(20));
    Path damaged = currentFile ? DiskTrouble.garbageCurrent(victim.dataDir, random)
        : DiskTrouble.garbageInBiggestDataFile(victim.dataDir, random);
    long healed = System.nanoTime();
    victim.start();
    cluster.awaitAlive("f3");
    FaultSuiteIT.finish(currentFile ? "6c. follower CURRENT file garbage" : "6d. follower table/log file garbage",
        cluster, load, healed, summary);

    String log = victim.process.logSinceStart();
    boolean setAside = log.contains("DATA DIR CORRUPTED");
    assertTrue(setAside || log.contains("does not match its digest"),
        "f3 noticed the damage to " + damaged.getFileName() + ":\n" + log);
    System.out.printf("f3 found %s damaged: %s%n", damaged.getFileName(),
        setAside ? "LevelDB reported corruption, the dir was set aside" : "a shard's data did not match its digest");
    if (setAside) {
      try (Stream<Path> siblings = Files.list(victim.dataDir.getParent())) {
        assertTrue(siblings.anyMatch(p -> p.getFileName().toString().startsWith("f3.corrupt-")),
            "the damaged dir was kept aside");
      }
    }
  }

  private static Status.Code probe(TestCluster cluster) {
    try {
      cluster.kv().put(put("s6b-probe"));
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static PutRequest put(String key) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("x")).build();
  }
}
