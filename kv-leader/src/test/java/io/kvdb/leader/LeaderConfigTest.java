package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.client.ClientFlags;
import io.kvdb.common.config.Flags;
import io.kvdb.core.config.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LeaderConfigTest {
  private static LeaderConfig from(String... args) {
    Flags flags = LeaderConfig.flags();
    assertTrue(flags.parse(args));
    return LeaderConfig.from(flags);
  }

  private static String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> from(args)).getMessage();
  }

  @Test
  void defaultsAreTheDesignedPortsAndModes() {
    LeaderConfig config = from();
    assertEquals("0.0.0.0", config.host());
    assertEquals(50051, config.grpcPort());
    assertEquals(5555, config.pubPort());
    assertEquals(5556, config.controlPort());
    assertEquals(9100, config.metricsPort());
    assertEquals(Path.of("data/leader"), config.dataDir());
    assertEquals(OptionalInt.empty(), config.shards(), "the stored count, or 64 for a new data dir");
    assertEquals(1, config.replicationFactor());
    assertTrue(config.durable());
    assertEquals(Limits.DEFAULT, config.limits());
    assertEquals(10_000, config.backlogPerShard());
    assertEquals(100, config.heartbeatMs());
    assertEquals(5_000, config.deadTimeoutMs());
    assertEquals(1_000, config.ackTimeoutMs());
    assertEquals(64L << 20, config.minFreeDiskBytes());
    assertEquals(16, config.maxSnapshotSessions());
  }

  @Test
  void everyFlagReachesTheConfig() {
    LeaderConfig config = from("--host", "127.0.0.1", "--grpc-port", "51200", "--pub-port", "51201",
        "--control-port", "51202", "--metrics-port", "9200", "--data-dir", "/var/lib/kvdb", "--shards", "16",
        "--replication-factor", "2", "--durability", "async", "--max-key-bytes", "256", "--max-value-bytes", "2m",
        "--max-message-bytes", "3m", "--max-page-size", "500", "--backlog-events", "64", "--heartbeat-ms", "50",
        "--dead-timeout-ms", "900", "--ack-timeout-ms", "250", "--min-free-disk", "1g", "--max-snapshot-sessions", "3");
    assertEquals(new LeaderConfig("127.0.0.1", 51200, 51201, 51202, 9200, Path.of("/var/lib/kvdb"), OptionalInt.of(16),
        2, false, new Limits(256, 2 << 20, 3 << 20, 100, 500), 64, 50, 900, 250, 1L << 30)
        .withMaxSnapshotSessions(3), config);
  }

  @Test
  void aRebuildDialsTheFollowersWithTheClientsFlagsAndTheyMeanNothingWithoutIt() throws Exception {
    Flags flags = LeaderConfig.flags();
    assertTrue(flags.parse(new String[] {"--rebuild-from-followers", "127.0.0.1:50061", "--tls"}));
    Recovery recovery = LeaderConfig.from(flags, Map.of("KV_TOKEN", "env-token-0123456789")).recovery();
    assertEquals(List.of("127.0.0.1:50061"), recovery.rebuildFromFollowers());
    assertEquals(new ClientFlags(Optional.empty(), true, Optional.of("env-token-0123456789")), recovery.followerAccess());
    Flags bare = LeaderConfig.flags();
    assertTrue(bare.parse(new String[] {"--rebuild-from-followers", "127.0.0.1:50061"}));
    assertEquals(ClientFlags.NONE, LeaderConfig.from(bare, Map.of()).recovery().followerAccess(),
        "plaintext and no token unless told");

    assertTrue(refusal("--rebuild-from-followers", "127.0.0.1:50061", "--tls-ca", "no-such-ca.pem")
        .startsWith("--tls-ca "), "a wrong CA file stops the start, naming the flag");
    assertTrue(refusal("--tls-ca", "ca.pem").contains("without it they do nothing"));
    assertTrue(refusal("--token", "a-token-0123456789").contains("--rebuild-from-followers"));
    Flags plain = LeaderConfig.flags();
    assertTrue(plain.parse(new String[0]));
    assertEquals(Recovery.NONE, LeaderConfig.from(plain, Map.of("KV_TOKEN", "not a token")).recovery(),
        "KV_TOKEN is not read by a leader that rebuilds nothing");
  }

  @Test
  void smallMaxPageSizeLowersTheDefaultPageSize() {
    Limits limits = from("--max-page-size", "20").limits();
    assertEquals(20, limits.maxPageSize());
    assertEquals(20, limits.defaultPageSize());
  }

  @Test
  void durabilityIsSyncOrAsync() {
    assertFalse(from("--durability=async").durable());
    assertEquals("--durability is sync or async, got 'fast'", refusal("--durability", "fast"));
  }

  @Test
  void badValuesAreRefusedWithAMessage() {
    assertEquals("shards must be in 1..65536: 0", refusal("--shards", "0"));
    assertEquals("shards must be in 1..65536: 65537", refusal("--shards", "65537"));
    assertEquals("replication factor must be > 0: 0", refusal("--replication-factor", "0"));
    assertEquals("dead timeout (100 ms) must exceed the heartbeat interval (100 ms)", refusal("--dead-timeout-ms", "100"));
    assertEquals("max key bytes must be > 0: 0", refusal("--max-key-bytes", "0"));
    assertEquals("flag --grpc-port needs a number, got 'http'", refusal("--grpc-port", "http"));
  }
}
