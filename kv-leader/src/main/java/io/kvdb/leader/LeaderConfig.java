package io.kvdb.leader;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.client.ClientFlags;
import io.kvdb.common.config.Flags;
import io.kvdb.core.config.BatchLimits;
import io.kvdb.core.config.Limits;
import io.kvdb.core.security.CurveServer;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.watch.WatchOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a leader is started with. Built from flags in one place ({@link #flags()} and
 * {@link #from(Flags)}); tests build it directly.
 *
 * @param host address every listener binds to (0.0.0.0: all interfaces)
 * @param shards shard count of a new data dir; empty: the stored one, or the default
 * @param durable sync every batch to disk before replying
 * @param backlogPerShard replication events kept per shard for followers to catch up from
 * @param minFreeDiskBytes free space kept on the data dir's disk: below it the leader does not
 *     start and refuses writes (RESOURCE_EXHAUSTED), as LevelDB on a full disk kills the process
 * @param grpcSecurity TLS and bearer tokens of the gRPC port
 * @param curve CURVE keys of the replication ports; empty: plaintext, anyone may connect
 * @param maxSnapshotSessions snapshot transfers open at once, over all followers (each holds a
 *     LevelDB snapshot and pins the backlog); more wait their turn
 * @param recovery a rebuild from followers at start, and whether missing shards are accepted empty
 * @param batchLimits the limits of one KV.Batch (--max-batch-ops, --max-batch-bytes)
 * @param watch the watch history and per-watcher limits
 */
public record LeaderConfig(
    String host, int grpcPort, int pubPort, int controlPort, int metricsPort, Path dataDir,
    OptionalInt shards, int replicationFactor, boolean durable, Limits limits, int backlogPerShard,
    long heartbeatMs, long deadTimeoutMs, long ackTimeoutMs, long minFreeDiskBytes, GrpcSecurity grpcSecurity,
    Optional<CurveServer> curve, int maxSnapshotSessions, Recovery recovery, BatchLimits batchLimits,
    WatchOptions watch) {

  /** Default of --max-snapshot-sessions. */
  public static final int DEFAULT_MAX_SNAPSHOT_SESSIONS = 16;

  public LeaderConfig {
    java.util.Objects.requireNonNull(grpcSecurity, "grpcSecurity (GrpcSecurity.NONE for none)");
    java.util.Objects.requireNonNull(curve, "curve (Optional.empty() for none)");
    java.util.Objects.requireNonNull(recovery, "recovery (Recovery.NONE for none)");
    java.util.Objects.requireNonNull(batchLimits, "batchLimits (BatchLimits.DEFAULT for the defaults)");
    java.util.Objects.requireNonNull(watch, "watch (WatchOptions.DEFAULT)");
    checkArgument(replicationFactor > 0, "replication factor must be > 0: %s", replicationFactor);
    checkArgument(backlogPerShard > 0, "backlog must keep at least one event per shard: %s", backlogPerShard);
    checkArgument(heartbeatMs > 0, "heartbeat interval must be > 0 ms: %s", heartbeatMs);
    checkArgument(deadTimeoutMs > heartbeatMs, "dead timeout (%s ms) must exceed the heartbeat interval (%s ms)",
        deadTimeoutMs, heartbeatMs);
    checkArgument(ackTimeoutMs > 0, "ack timeout must be > 0 ms: %s", ackTimeoutMs);
    checkArgument(minFreeDiskBytes >= 0, "min free disk must be >= 0 bytes: %s", minFreeDiskBytes);
    checkArgument(maxSnapshotSessions > 0, "max snapshot sessions must be > 0: %s", maxSnapshotSessions);
    shards.ifPresent(s -> checkArgument(s > 0 && s <= ShardFunction.MAX_SHARDS,
        "shards must be in 1..%s: %s", ShardFunction.MAX_SHARDS, s));
  }

  /** With the default batch and watch limits. */
  public LeaderConfig(
      String host, int grpcPort, int pubPort, int controlPort, int metricsPort, Path dataDir,
      OptionalInt shards, int replicationFactor, boolean durable, Limits limits, int backlogPerShard,
      long heartbeatMs, long deadTimeoutMs, long ackTimeoutMs, long minFreeDiskBytes, GrpcSecurity grpcSecurity,
      Optional<CurveServer> curve, int maxSnapshotSessions, Recovery recovery) {
    this(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor, durable, limits,
        backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity, curve,
        maxSnapshotSessions, recovery, BatchLimits.DEFAULT, WatchOptions.DEFAULT);
  }

  /** A normal start (no rebuild). */
  public LeaderConfig(
      String host, int grpcPort, int pubPort, int controlPort, int metricsPort, Path dataDir,
      OptionalInt shards, int replicationFactor, boolean durable, Limits limits, int backlogPerShard,
      long heartbeatMs, long deadTimeoutMs, long ackTimeoutMs, long minFreeDiskBytes, GrpcSecurity grpcSecurity,
      Optional<CurveServer> curve, int maxSnapshotSessions) {
    this(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor, durable, limits,
        backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity, curve,
        maxSnapshotSessions, Recovery.NONE);
  }

  /** With the default cap on snapshot sessions. */
  public LeaderConfig(
      String host, int grpcPort, int pubPort, int controlPort, int metricsPort, Path dataDir,
      OptionalInt shards, int replicationFactor, boolean durable, Limits limits, int backlogPerShard,
      long heartbeatMs, long deadTimeoutMs, long ackTimeoutMs, long minFreeDiskBytes, GrpcSecurity grpcSecurity,
      Optional<CurveServer> curve) {
    this(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor, durable, limits,
        backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity, curve,
        DEFAULT_MAX_SNAPSHOT_SESSIONS);
  }

  /** Without security: plaintext gRPC and replication, no tokens. */
  public LeaderConfig(
      String host, int grpcPort, int pubPort, int controlPort, int metricsPort, Path dataDir,
      OptionalInt shards, int replicationFactor, boolean durable, Limits limits, int backlogPerShard,
      long heartbeatMs, long deadTimeoutMs, long ackTimeoutMs, long minFreeDiskBytes) {
    this(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor, durable, limits,
        backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, GrpcSecurity.NONE, Optional.empty());
  }

  /** A leader on 127.0.0.1 with ephemeral ports, for tests. */
  public static LeaderConfig forTest(Path dataDir) {
    return new LeaderConfig("127.0.0.1", 0, 0, 0, 0, dataDir, OptionalInt.of(8), 1, true, Limits.DEFAULT,
        1000, 50, 2000, 1000, 0);
  }

  public LeaderConfig withDataDir(Path dir) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dir, shards, replicationFactor,
        durable, limits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity,
        curve, maxSnapshotSessions, recovery, batchLimits, watch);
  }

  public LeaderConfig withLimits(Limits newLimits) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor,
        durable, newLimits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity,
        curve, maxSnapshotSessions, recovery, batchLimits, watch);
  }

  public LeaderConfig withSecurity(GrpcSecurity newGrpcSecurity, Optional<CurveServer> newCurve) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor,
        durable, limits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, newGrpcSecurity,
        newCurve, maxSnapshotSessions, recovery, batchLimits, watch);
  }

  public LeaderConfig withMaxSnapshotSessions(int max) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor,
        durable, limits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity,
        curve, max, recovery, batchLimits, watch);
  }

  public LeaderConfig withRecovery(Recovery newRecovery) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor,
        durable, limits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity,
        curve, maxSnapshotSessions, newRecovery, batchLimits, watch);
  }

  public LeaderConfig withWatch(WatchOptions newWatch) {
    return new LeaderConfig(host, grpcPort, pubPort, controlPort, metricsPort, dataDir, shards, replicationFactor,
        durable, limits, backlogPerShard, heartbeatMs, deadTimeoutMs, ackTimeoutMs, minFreeDiskBytes, grpcSecurity,
        curve, maxSnapshotSessions, recovery, batchLimits, newWatch);
  }

  static Flags flags() {
    Limits d = Limits.DEFAULT;
    Flags flags = new Flags("kv leader")
        .declare("host", "0.0.0.0", "address to bind every listener to (127.0.0.1: this machine only)")
        .declare("grpc-port", "50051", "gRPC port: KV, Cluster, health, reflection")
        .declare("pub-port", "5555", "ZeroMQ PUB port: replication events, one topic per shard")
        .declare("control-port", "5556", "ZeroMQ ROUTER port: follower hello, catch-up, snapshots, acks")
        .declare("metrics-port", "9100", "HTTP port for /metrics (Prometheus) and /health")
        .declare("data-dir", "data/leader", "LevelDB data dir (created if missing)")
        .declare("shards", "", "shard count of a NEW data dir; fixed afterwards (default " + ShardFunction.DEFAULT_SHARDS + ")")
        .declare("replication-factor", "1", "followers each shard is placed on (R)")
        .declare("durability", "sync", "sync: every reply waits for fsync; async: faster, an OS crash may drop the last writes")
        .declare("max-key-bytes", Integer.toString(d.maxKeyBytes()), "largest key, UTF-8 bytes")
        .declare("max-value-bytes", Integer.toString(d.maxValueBytes()), "largest value, bytes (k, m suffixes allowed)")
        .declare("max-message-bytes", Integer.toString(d.maxMessageBytes()), "largest gRPC request message, bytes")
        .declare("max-page-size", Integer.toString(d.maxPageSize()), "largest List page")
        .declare("max-batch-ops", Integer.toString(BatchLimits.DEFAULT.maxOps()), "most operations in one KV.Batch")
        .declare("max-batch-bytes", Integer.toString(BatchLimits.DEFAULT.maxBytes()),
            "largest KV.Batch request, bytes (k, m suffixes allowed)")
        .declare("backlog-events", "10000", "replication events kept per shard for catch-up; older gaps take a snapshot")
        .declare("heartbeat-ms", "100", "interval of per-shard heartbeats to followers")
        .declare("dead-timeout-ms", "5000", "a follower silent this long is declared dead and its shards re-placed")
        .declare("ack-timeout-ms", "1000", "default wait for min_acks when a request names no timeout")
        .declare("min-free-disk", "64m", "free space kept on the data dir's disk; below it writes get RESOURCE_EXHAUSTED"
            + " and the leader does not start (k, m, g suffixes allowed)")
        .declare("max-snapshot-sessions", Integer.toString(DEFAULT_MAX_SNAPSHOT_SESSIONS), "snapshot transfers open"
            + " at once, over all followers (each pins leader data); more wait their turn")
        .declare("rebuild-from-followers", "", "HOST:PORT,... of followers: make this leader, on an empty --data-dir,"
            + " from their copies before it opens a port (README: Rebuild a lost leader)")
        .declareBoolean("allow-missing-shards", "accept empty the shards a rebuild found no copy of (writes to them"
            + " are refused until then)");
    // How the rebuild dials the followers: the kv client's flags, for followers with --tls-cert or --token-file.
    ClientFlags.declare(flags, "the followers of --rebuild-from-followers");
    // Security (docs/SECURITY.md): TLS and tokens on the gRPC port, CURVE on the replication ports.
    GrpcSecurity.declareFlags(flags);
    WatchOptions.declareFlags(flags);
    return CurveServer.declareFlags(flags);
  }

  static LeaderConfig from(Flags flags) {
    return from(flags, System.getenv());
  }

  /** {@link #from(Flags)}, with {@code env} as the environment ({@code KV_TOKEN}). */
  static LeaderConfig from(Flags flags, Map<String, String> env) {
    String durability = flags.string("durability");
    checkArgument(durability.equals("sync") || durability.equals("async"),
        "--durability is sync or async, got '%s'", durability);
    Limits d = Limits.DEFAULT;
    int maxPage = flags.integer("max-page-size");
    Limits limits = new Limits(flags.integer("max-key-bytes"), flags.integer("max-value-bytes"),
        flags.integer("max-message-bytes"), Math.min(d.defaultPageSize(), maxPage), maxPage);
    return new LeaderConfig(
        flags.string("host"), flags.integer("grpc-port"), flags.integer("pub-port"), flags.integer("control-port"),
        flags.integer("metrics-port"), Path.of(flags.string("data-dir")),
        flags.string("shards").isEmpty() ? OptionalInt.empty() : OptionalInt.of(flags.integer("shards")),
        flags.integer("replication-factor"), durability.equals("sync"), limits, flags.integer("backlog-events"),
        flags.longValue("heartbeat-ms"), flags.longValue("dead-timeout-ms"), flags.longValue("ack-timeout-ms"),
        flags.longValue("min-free-disk"), GrpcSecurity.fromFlags(flags), CurveServer.fromFlags(flags),
        flags.integer("max-snapshot-sessions"),
        recovery(flags, env), new BatchLimits(flags.integer("max-batch-ops"), flags.integer("max-batch-bytes")),
        WatchOptions.fromFlags(flags));
  }

  /**
   * The dialling flags (and KV_TOKEN) are read, their CA file checked, only when there is a rebuild
   * to dial for.
   */
  private static Recovery recovery(Flags flags, Map<String, String> env) {
    List<String> followers = flags.list("rebuild-from-followers");
    if (followers.isEmpty()) {
      boolean given = flags.isGiven("tls-ca") || flags.isGiven("tls") || flags.isGiven("token");
      checkArgument(!given, "--tls-ca, --tls and --token say how --rebuild-from-followers dials the followers;"
          + " without it they do nothing (this leader's own TLS and tokens are --tls-cert, --tls-key, --token-file)");
      return new Recovery(followers, flags.bool("allow-missing-shards"));
    }
    ClientFlags access = ClientFlags.read(flags, env);
    access.trust();
    return new Recovery(followers, flags.bool("allow-missing-shards"), access);
  }
}
