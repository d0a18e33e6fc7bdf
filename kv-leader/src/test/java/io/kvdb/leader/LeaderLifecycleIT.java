package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting, killing, stopping and misusing the real leader process. */
@Timeout(180)
class LeaderLifecycleIT {
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void killMinus9ThenRestartKeepsEveryAcknowledgedWriteAndBumpsTheEpoch() throws Exception {
    try (LeaderProcess leader = new LeaderProcess("leader", dir.resolve("data"), dir.resolve("logs"))) {
      leader.start();
      StatusResponse before = leader.cluster().status(StatusRequest.getDefaultInstance());
      for (int i = 0; i < 50; i++) {
        leader.kv().put(PutRequest.newBuilder().setKey("k" + i).setValue(ByteString.copyFromUtf8("v" + i)).build());
      }
      leader.disconnect();
      leader.process().kill();

      leader.start();
      StatusResponse after = leader.cluster().status(StatusRequest.getDefaultInstance());
      assertEquals(before.getLeaderId(), after.getLeaderId());
      assertTrue(after.getEpoch() > before.getEpoch(), "a new epoch after the restart");
      assertEquals(50, after.getKeys());
      for (int i = 0; i < 50; i++) {
        assertEquals("v" + i, leader.kv().get(GetRequest.newBuilder().setKey("k" + i).build()).getValue().toStringUtf8());
      }
    }
  }

  @Test
  void sigtermStopsCleanlyAndUnlocksTheDataDir() throws Exception {
    Path data = dir.resolve("data");
    try (LeaderProcess leader = new LeaderProcess("leader", data, dir.resolve("logs"))) {
      leader.start();
      leader.kv().put(PutRequest.newBuilder().setKey("kept").setValue(ByteString.copyFromUtf8("yes")).build());
      leader.disconnect();

      int exit = leader.process().terminate(EXIT_TIMEOUT);
      // 143 = 128 + SIGTERM: the JVM's exit status after running its shutdown hooks.
      assertTrue(exit == 0 || exit == 143, "exit " + exit + "\n" + leader.log());
      assertTrue(leader.log().contains("kv leader: stopped, data dir closed"), leader.log());

      try (KvStore store = KvStore.open(data, false)) {
        byte[] key = "kept".getBytes(StandardCharsets.UTF_8);
        int shard = new ShardFunction(ShardFunction.DEFAULT_SHARDS).shardOf(key);
        assertEquals("yes", new String(store.get(shard, key).orElseThrow().value(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void secondLeaderOnALockedDataDirExitsWithAClearMessage() throws Exception {
    Path data = dir.resolve("data");
    try (LeaderProcess first = new LeaderProcess("first", data, dir.resolve("logs"))) {
      first.start();
      JavaProcess second = JavaProcess.start("second", JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
          "--host", "127.0.0.1", "--grpc-port", Integer.toString(FreePorts.next()),
          "--metrics-port", Integer.toString(FreePorts.next()), "--data-dir", data.toString());
      assertTrue(second.waitFor(EXIT_TIMEOUT), "the second leader kept running:\n" + second.log());
      assertEquals(3, second.exitValue(), second.log());
      assertTrue(second.log().contains("kv leader: data dir " + data + " is locked: another kvdb process is using it"),
          second.log());
      assertTrue(first.process().isAlive());
      first.kv().put(PutRequest.newBuilder().setKey("first still serves").setValue(ByteString.EMPTY).build());
    }
  }

  @Test
  void portInUseExitsNonZeroNamingThePort() throws Exception {
    for (String flag : List.of("--grpc-port", "--metrics-port")) {
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = taken.getLocalPort();
        int other = FreePorts.next();
        JavaProcess leader = JavaProcess.start("busy" + flag, JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
            "--host", "127.0.0.1", "--grpc-port", Integer.toString(other), "--metrics-port", Integer.toString(other),
            flag, Integer.toString(port), "--data-dir", dir.resolve("data" + flag).toString());
        assertTrue(leader.waitFor(EXIT_TIMEOUT), "the leader kept running:\n" + leader.log());
        assertTrue(leader.exitValue() != 0, leader.log());
        String output = leader.log().substring(leader.log().lastIndexOf("=== start"));
        String afterCommandLine = output.substring(output.indexOf('\n'));
        assertTrue(afterCommandLine.contains("kv leader: ") && afterCommandLine.contains("127.0.0.1:" + port),
            flag + ": the error does not name the port:\n" + output);
      }
    }
  }

  @Test
  void helpPrintsEveryFlagAndExitsZero() {
    JavaProcess help = JavaProcess.start("help", JavaProcess.jarOf("kv-leader"), dir, "--help");
    assertTrue(help.waitFor(EXIT_TIMEOUT), help.log());
    assertEquals(0, help.exitValue(), help.log());
    String out = help.log();
    assertTrue(out.contains("usage: kv leader [flags]"), out);
    for (String flag : List.of("--host", "--grpc-port", "--pub-port", "--control-port", "--metrics-port", "--data-dir",
        "--shards", "--replication-factor", "--durability", "--max-key-bytes", "--max-value-bytes",
        "--max-message-bytes", "--max-page-size", "--backlog-events", "--heartbeat-ms", "--dead-timeout-ms",
        "--ack-timeout-ms")) {
      assertTrue(out.contains("  " + flag + " VALUE"), flag + " missing from --help:\n" + out);
    }
  }

  @Test
  void unknownFlagExitsTwoNamingIt() {
    JavaProcess bad = JavaProcess.start("bad-flag", JavaProcess.jarOf("kv-leader"), dir, "--grcp-port", "1");
    assertTrue(bad.waitFor(EXIT_TIMEOUT), bad.log());
    assertEquals(2, bad.exitValue(), bad.log());
    assertTrue(bad.log().contains("kv leader: unknown flag --grcp-port (see --help)"), bad.log());
  }

  @Test
  void badFlagValueExitsTwoWithTheReason() {
    JavaProcess bad = JavaProcess.start("bad-value", JavaProcess.jarOf("kv-leader"), dir, "--durability", "sometimes");
    assertTrue(bad.waitFor(EXIT_TIMEOUT), bad.log());
    assertEquals(2, bad.exitValue(), bad.log());
    assertTrue(bad.log().contains("kv leader: --durability is sync or async, got 'sometimes'"), bad.log());
  }
}
