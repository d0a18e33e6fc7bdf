package io.kvdb.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.common.config.Flags;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FollowerConfigTest {
  private static FollowerConfig from(String... args) {
    Flags flags = FollowerConfig.flags();
    assertTrue(flags.parse(args));
    return FollowerConfig.from(flags);
  }

  private static String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> from(args)).getMessage();
  }

  @Test
  void defaultsAreTheDesignedPorts() {
    FollowerConfig config = from();
    assertEquals("127.0.0.1", config.leaderHost());
    assertEquals(5555, config.leaderPubPort());
    assertEquals(5556, config.leaderControlPort());
    assertEquals(50061, config.grpcPort());
    assertEquals(9101, config.metricsPort());
    assertEquals(Path.of("data/follower"), config.dataDir());
    assertFalse(config.acceptNewLeader());
    assertEquals(FollowerConfig.DEFAULT_MIN_FREE_DISK, config.minFreeDiskBytes());
  }

  @Test
  void theLaunchersFlagsParse() {
    FollowerConfig config = from("--host", "127.0.0.1", "--leader", "127.0.0.1", "--id", "follower-1",
        "--data-dir", "data/follower-1", "--grpc-port", "50061", "--metrics-port=9101", "--min-free-disk", "1g");
    assertEquals("follower-1", config.id());
    assertEquals(1L << 30, config.minFreeDiskBytes());
  }

  @Test
  void leaderIsAHostAloneIpv6WithOrWithoutBrackets() {
    assertEquals("kv1", from("--leader", "kv1").leaderHost());
    assertEquals("::1", from("--leader", "::1").leaderHost());
    assertEquals("::1", from("--leader", "[::1]").leaderHost());
    assertEquals("--leader is a host alone, without a port; got 'kv1:50051'", refusal("--leader", "kv1:50051"));
    assertEquals("--leader is a host alone, without a port; got '[::1]:5555'", refusal("--leader", "[::1]:5555"));
    assertEquals("--leader needs a host, got ''", refusal("--leader", ""));
  }

  @Test
  void advertiseIsHostPort() {
    assertEquals("kv2:50061", from("--advertise", "kv2:50061").advertisedAddress(1));
    assertEquals("--advertise must be HOST:PORT, got 'kv2'", refusal("--advertise", "kv2"));
  }

  @Test
  void acceptNewLeaderTakesEveryBooleanSpelling() {
    assertTrue(from("--accept-new-leader").acceptNewLeader());
    assertTrue(from("--accept-new-leader=yes").acceptNewLeader());
    assertFalse(from("--accept-new-leader=0").acceptNewLeader());
    assertFalse(from("--accept-new-leader", "false").acceptNewLeader());
  }
}
