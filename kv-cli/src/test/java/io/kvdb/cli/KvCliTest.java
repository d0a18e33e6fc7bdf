package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The kv command against a real leader and follower in this JVM, over TCP. */
@Timeout(120)
class KvCliTest {
  @TempDir static Path dir;
  private static LeaderServer leader;
  private static FollowerServer follower;


  @BeforeAll
  static void start() throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    follower = new FollowerServer(FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
  }

  @AfterAll
  static void stop() {
    follower.stop();
    leader.stop();
  }

  @Test
  void putGetListDeleteRoundTrip() {
    Result put = kv("put", "greeting", "hello world");
    assertEquals(0, put.code(), put.err());
    assertTrue(put.out().startsWith("OK shard="), put.out());
    assertEquals("hello world\n", kv("get", "greeting").out());
    kv("put", "greeting2", "hi");
    assertEquals("greeting\thello world\ngreeting2\thi\n", kv("list", "--prefix", "greeting").out());
    assertEquals("greeting\thello world\n", kv("list", "--prefix", "greeting", "--limit", "1").out());
    assertEquals(0, kv("delete", "greeting").code());
    Result missing = kv("get", "greeting");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("not found"), missing.err());
    assertEquals(1, kv("delete", "greeting").code());
  }

  @Test
  void waitForAFollowerAckThenVerifyItsDigests() throws Exception {
    Result put = kv("put", "replicated", "yes", "--wait", "1");
    assertEquals(0, put.code(), put.err());
    long deadline = System.nanoTime() + 30_000_000_000L;
    Result verify = kv("verify");
    while (!verify.out().contains("0 lagging") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      verify = kv("verify");
    }
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains("8 shard copies match the leader, 0 lagging (retry), 0 differ"), verify.out());
    Result status = kv("status");
    assertTrue(status.out().contains("f1"), status.out());
    assertTrue(status.out().contains("\nreplication lag, last 60 s"), "the leader's lag histogram: " + status.out());
  }

  @Test
  void drainIsRefusedWithoutAnotherFollowerAndStatusShowsUnderReplicatedShards() {
    Result refused = kv("drain", "f1");
    assertEquals(1, refused.code(), refused.out() + refused.err());
    assertTrue(refused.err().contains("FAILED_PRECONDITION: cannot drain follower f1: R=1 needs at least 1 other live"),
        refused.err());
    Result unknown = kv("drain", "nobody");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("NOT_FOUND"), unknown.err());
    Result undrain = kv("undrain", "f1");
    assertEquals(0, undrain.code(), undrain.err());
    assertEquals("f1 was not drained: nothing changed\n", undrain.out());
    assertEquals(2, kv("drain").code(), "a follower id is needed");
    Result status = kv("status");
    assertTrue(status.out().contains("\nunder-replicated shards (fewer than R=1 caught-up copies): "), status.out());
    assertTrue(status.out().contains("\nmissing shards (no copy when rebuilt, writes refused until"
        + " --allow-missing-shards): none\n"), status.out());
    assertTrue(status.out().contains(" DRAINED\n"), status.out());
  }

  @Test
  void badUsageAndBadServerInputGiveClearErrors() {
    assertEquals(2, kv("frobnicate").code());
    assertEquals(2, kv("put", "only-key").code());
    Result empty = kv("put", "", "value");
    assertEquals(3, empty.code());
    assertTrue(empty.err().contains("INVALID_ARGUMENT: key is empty"), empty.err());
  }

  private static Result kv(String... args) {
    return CliRun.run(CliRun.withLeader("127.0.0.1:" + leader.grpcPort(), args));
  }
}
