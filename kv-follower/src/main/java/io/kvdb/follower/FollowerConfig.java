package io.kvdb.follower;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.common.config.Flags;
import io.kvdb.common.net.HostPort;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.security.CurveClient;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a follower is started with. Built from flags in one place; tests build it directly.
 *
 * @param id this follower's id; empty: the one stored in the data dir, or a new random one
 * @param advertise the gRPC address (host:port) the leader shows to others for this follower
 * @param acceptNewLeader wipe data from another leader and copy this one's (operator decision)
 * @param minFreeDiskBytes free space kept on the data dir's disk: below it the follower stops
 *     applying events (the leader keeps them in its backlog) and does not start
 * @param grpcSecurity TLS and bearer tokens of the read API's gRPC port
 * @param curve CURVE keys for replication from the leader; empty: plaintext
 */
public record FollowerConfig(
    String id, String leaderHost, int leaderPubPort, int leaderControlPort, String host, int grpcPort,
    String advertise, int metricsPort, Path dataDir, boolean acceptNewLeader, int catchUpBatch,
    long minFreeDiskBytes, GrpcSecurity grpcSecurity, Optional<CurveClient> curve) {
  /** The default of --min-free-disk, as on the leader. */
  public static final long DEFAULT_MIN_FREE_DISK = 64L << 20;

  public FollowerConfig {
    Objects.requireNonNull(grpcSecurity, "grpcSecurity (GrpcSecurity.NONE for none)");
    Objects.requireNonNull(curve, "curve (Optional.empty() for none)");
    checkArgument(id.isEmpty() || Frames.isValidFollowerId(id),
        "follower id '%s' must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit", id);
    checkArgument(!leaderHost.isBlank(), "--leader needs the leader's host");
    checkArgument(catchUpBatch > 0, "catch-up batch must be > 0: %s", catchUpBatch);
    checkArgument(minFreeDiskBytes >= 0, "min free disk must be >= 0 bytes: %s", minFreeDiskBytes);
  }

  /** Without security: plaintext gRPC and replication, no tokens. */
  public FollowerConfig(
      String id, String leaderHost, int leaderPubPort, int leaderControlPort, String host, int grpcPort,
      String advertise, int metricsPort, Path dataDir, boolean acceptNewLeader, int catchUpBatch) {
    this(id, leaderHost, leaderPubPort, leaderControlPort, host, grpcPort, advertise, metricsPort, dataDir,
        acceptNewLeader, catchUpBatch, DEFAULT_MIN_FREE_DISK, GrpcSecurity.NONE, Optional.empty());
  }

  public FollowerConfig withSecurity(GrpcSecurity newGrpcSecurity, Optional<CurveClient> newCurve) {
    return new FollowerConfig(id, leaderHost, leaderPubPort, leaderControlPort, host, grpcPort, advertise,
        metricsPort, dataDir, acceptNewLeader, catchUpBatch, minFreeDiskBytes, newGrpcSecurity, newCurve);
  }

  /** The address to advertise: the flag, or the bind host (this machine's name for 0.0.0.0) and port. */
  public String advertisedAddress(int boundGrpcPort) {
    if (!advertise.isEmpty()) {
      return advertise;
    }
    String shown = host;
    if ("0.0.0.0".equals(host)) {
      try {
        shown = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        shown = "127.0.0.1";
      }
    }
    return shown + ":" + boundGrpcPort;
  }

  public static FollowerConfig forTest(Path dataDir, String id, int leaderPubPort, int leaderControlPort) {
    return new FollowerConfig(id, "127.0.0.1", leaderPubPort, leaderControlPort, "127.0.0.1", 0, "", 0, dataDir,
        false, 1000);
  }

  static Flags flags() {
    Flags flags = new Flags("kv follower")
        .declare("id", "", "follower id, kept in the data dir (default: the stored one, or a new random id)")
        .declare("leader", "127.0.0.1", "the leader's host (name or address)")
        .declare("leader-pub-port", "5555", "the leader's ZeroMQ PUB port")
        .declare("leader-control-port", "5556", "the leader's ZeroMQ ROUTER (control) port")
        .declare("host", "0.0.0.0", "address to bind the gRPC and metrics listeners to")
        .declare("grpc-port", "50061", "gRPC port: read-only KV of the shards held here, status, digests")
        .declare("advertise", "", "host:port the leader shows for this follower (default: this host's name and --grpc-port)")
        .declare("metrics-port", "9101", "HTTP port for /metrics (Prometheus) and /health")
        .declare("data-dir", "data/follower", "LevelDB data dir (created if missing)")
        .declareBoolean("accept-new-leader", "wipe data that came from another leader and copy this leader's")
        .declare("catch-up-batch", "1000", "events asked for per catch-up request")
        .declare("min-free-disk", "64m", "free space kept on the data dir's disk; below it the follower stops applying"
            + " events until space is freed, and does not start (k, m, g suffixes allowed)");
    // Security (docs/SECURITY.md): TLS and tokens on the read API, CURVE towards the leader.
    GrpcSecurity.declareFlags(flags);
    return CurveClient.declareFlags(flags);
  }

  static FollowerConfig from(Flags flags) {
    String advertise = flags.string("advertise");
    if (!advertise.isEmpty()) {
      HostPort.parse("--advertise", advertise); // others dial it: a typo must not wait for them to fail
    }
    return new FollowerConfig(flags.string("id"), HostPort.parseHost("--leader", flags.string("leader")),
        flags.integer("leader-pub-port"), flags.integer("leader-control-port"), flags.string("host"),
        flags.integer("grpc-port"), advertise, flags.integer("metrics-port"), Path.of(flags.string("data-dir")),
        flags.bool("accept-new-leader"), flags.integer("catch-up-batch"), flags.longValue("min-free-disk"),
        GrpcSecurity.fromFlags(flags),
        CurveClient.fromFlags(flags));
  }
}
