package io.kvdb.gateway.config;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.client.TlsTrust;
import io.kvdb.common.config.FlagFiles;
import io.kvdb.common.config.Flags;
import io.kvdb.common.net.HostPort;
import io.kvdb.common.net.Loopback;
import io.kvdb.common.security.PemFiles;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the gateway is started with. Built from flags in one place ({@link #fromArgs}); tests
 * build it with {@link #forTest}.
 *
 * @param host address the HTTP port binds to (0.0.0.0: all interfaces)
 * @param port HTTP port (0: any free port, for tests)
 * @param leader the leader's gRPC address
 * @param corsOrigins origins allowed to call the API from a browser page they serve; empty: CORS
 *     off, only same-origin pages can read the responses
 * @param maxBodyBytes largest request body the HTTP API accepts
 * @param leaderTimeout how long a call to the leader may take before the request fails with 504
 * @param shutdownGrace how long a stopping gateway keeps serving requests in flight
 * @param https when present, the port speaks HTTPS only, with this certificate
 * @param leaderTls how to dial the leader: plaintext or TLS, and which roots to trust
 * @param followers followers to read from while the leader is unreachable, besides those of the
 *     leader's last status (for a gateway started while the leader is down); dialled as the leader
 * @param shardMapRefresh how often the leader's status (its followers and their shards) is read
 *     again while the leader is up
 */
public record GatewayConfig(
    String host, int port, HostPort leader, List<String> corsOrigins, long maxBodyBytes,
    Duration leaderTimeout, Duration shutdownGrace, Optional<HttpsCertificate> https, TlsTrust leaderTls,
    List<HostPort> followers, Duration shardMapRefresh) {

  /** The default largest body: a 1 MiB value (the leader's default limit) even fully JSON-escaped. */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;

  public GatewayConfig {
    checkArgument(port >= 0 && port <= 65535, "port must be in 0..65535: %s", port);
    checkArgument(maxBodyBytes > 0, "max body bytes must be > 0: %s", maxBodyBytes);
    checkArgument(!leaderTimeout.isNegative() && !leaderTimeout.isZero(), "leader timeout must be > 0: %s", leaderTimeout);
    checkArgument(!shutdownGrace.isNegative(), "shutdown grace must be >= 0: %s", shutdownGrace);
    for (String origin : corsOrigins) {
      checkArgument(isOrigin(origin), "CORS origin must be scheme://host[:port] with no path, got '%s'", origin);
    }
    corsOrigins = List.copyOf(corsOrigins);
    Objects.requireNonNull(https, "https (Optional.empty() for plain HTTP)");
    Objects.requireNonNull(leaderTls, "leaderTls (TlsTrust.PLAINTEXT for none)");
    followers = List.copyOf(followers);
    checkArgument(shardMapRefresh.toMillis() > 0, "shard map refresh must be > 0: %s", shardMapRefresh);
  }

  /** The default of --shard-map-refresh-ms. */
  public static final Duration DEFAULT_SHARD_MAP_REFRESH = Duration.ofSeconds(5);

  /** A gateway on 127.0.0.1, any free port, no shutdown grace, CORS off. */
  public static GatewayConfig forTest(HostPort leader) {
    return new GatewayConfig("127.0.0.1", 0, leader, List.of(), DEFAULT_MAX_BODY_BYTES,
        Duration.ofSeconds(10), Duration.ZERO, Optional.empty(), TlsTrust.PLAINTEXT, List.of(),
        DEFAULT_SHARD_MAP_REFRESH);
  }

  public GatewayConfig withCorsOrigins(List<String> origins) {
    return new GatewayConfig(host, port, leader, origins, maxBodyBytes, leaderTimeout, shutdownGrace, https, leaderTls,
        followers, shardMapRefresh);
  }

  public GatewayConfig withMaxBodyBytes(long bytes) {
    return new GatewayConfig(host, port, leader, corsOrigins, bytes, leaderTimeout, shutdownGrace, https, leaderTls,
        followers, shardMapRefresh);
  }

  public GatewayConfig withLeaderTimeout(Duration timeout) {
    return new GatewayConfig(host, port, leader, corsOrigins, maxBodyBytes, timeout, shutdownGrace, https, leaderTls,
        followers, shardMapRefresh);
  }

  public GatewayConfig withHttps(HttpsCertificate certificate) {
    return new GatewayConfig(host, port, leader, corsOrigins, maxBodyBytes, leaderTimeout, shutdownGrace,
        Optional.of(certificate), leaderTls, followers, shardMapRefresh);
  }

  public GatewayConfig withLeaderTls(TlsTrust tls) {
    return new GatewayConfig(host, port, leader, corsOrigins, maxBodyBytes, leaderTimeout, shutdownGrace, https, tls,
        followers, shardMapRefresh);
  }

  public GatewayConfig withFollowers(List<HostPort> addresses) {
    return new GatewayConfig(host, port, leader, corsOrigins, maxBodyBytes, leaderTimeout, shutdownGrace, https,
        leaderTls, addresses, shardMapRefresh);
  }

  public GatewayConfig withShardMapRefresh(Duration every) {
    return new GatewayConfig(host, port, leader, corsOrigins, maxBodyBytes, leaderTimeout, shutdownGrace, https,
        leaderTls, followers, every);
  }

  /** The scheme of the gateway's own port. */
  public String scheme() {
    return https.isPresent() ? "https" : "http";
  }

  /** The flags, with their defaults and help. */
  static Flags flags() {
    return new Flags("kv gateway")
        .declare("host", "0.0.0.0", "address to bind the HTTP port to (127.0.0.1: this machine only)")
        .declare("port", "3000", "HTTP port: API, web page, /docs, /health, /metrics")
        .declare("leader", "127.0.0.1:50051", "the leader's gRPC address, HOST:PORT")
        .declare("followers", "", "comma-separated follower gRPC addresses, HOST:PORT, to read from (stale) while the "
            + "leader is unreachable, besides those of the leader's last status (empty: those only)")
        .declare("shard-map-refresh-ms", Long.toString(DEFAULT_SHARD_MAP_REFRESH.toMillis()),
            "how often the leader's followers and their shards are read again while it is up")
        .declare("cors-origins", "", "comma-separated origins allowed to call the API cross-origin, "
            + "e.g. http://localhost:8080 (empty: CORS off)")
        .declare("max-body-bytes", Long.toString(DEFAULT_MAX_BODY_BYTES),
            "largest request body, bytes (k, m, g suffixes allowed)")
        .declare("leader-timeout-ms", "10000", "how long one call to the leader may take (then 504)")
        .declare("shutdown-grace-ms", "1000", "on SIGTERM, how long requests in flight may still finish")
        .declare("tls-cert", "", "PEM certificate chain: the port then speaks HTTPS only (needs --tls-key)")
        .declare("tls-key", "", "PEM PKCS#8 private key of --tls-cert (BEGIN PRIVATE KEY)")
        .declareBoolean("leader-tls", "dial the leader with TLS, trusting the system's root certificates")
        .declare("leader-tls-ca", "", "dial the leader with TLS, trusting the certificates in this PEM file "
            + "(its CA, or its self-signed certificate)");
  }

  /** The usage text that {@code --help} prints. */
  public static String usage() {
    return flags().usage();
  }

  /**
   * Parses the command line; empty when {@code --help} was asked.
   *
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  public static Optional<GatewayConfig> fromArgs(String... args) {
    Flags flags = flags();
    if (!flags.parse(args)) {
      return Optional.empty();
    }
    long port = flags.longValue("port");
    checkArgument(port >= 0 && port <= 65535, "--port must be in 0..65535: %s", port);
    return Optional.of(new GatewayConfig(
        flags.string("host"), (int) port, HostPort.parse("--leader", flags.string("leader")), flags.list("cors-origins"),
        flags.longValue("max-body-bytes"), Duration.ofMillis(flags.longValue("leader-timeout-ms")),
        Duration.ofMillis(flags.longValue("shutdown-grace-ms")), https(flags), leaderTls(flags),
        flags.list("followers").stream().map(f -> HostPort.parse("--followers", f)).toList(),
        Duration.ofMillis(flags.longValue("shard-map-refresh-ms"))));
  }

  private static Optional<HttpsCertificate> https(Flags flags) {
    FlagFiles.together(flags, "tls-cert", "tls-key", "a certificate is served with its private key");
    String cert = flags.string("tls-cert");
    return cert.isBlank() ? Optional.empty() : Optional.of(HttpsCertificate.load(cert, flags.string("tls-key")));
  }

  /** --leader-tls-ca implies TLS; --leader-tls alone trusts the system's roots. */
  private static TlsTrust leaderTls(Flags flags) {
    String ca = flags.string("leader-tls-ca");
    if (!ca.isBlank()) {
      // Checked here first so that a wrong file's message names the flag.
      return TlsTrust.caFile(PemFiles.trustedCertificates("leader-tls-ca", ca));
    }
    return flags.bool("leader-tls") ? TlsTrust.systemRoots() : TlsTrust.PLAINTEXT;
  }

  /**
   * Warnings for the startup log: tokens and data that would cross a network in clear text. Empty
   * when the gateway binds loopback only (or speaks HTTPS) and dials a loopback (or TLS) leader.
   */
  public List<String> exposureWarnings() {
    List<String> warnings = new ArrayList<>();
    if (https.isEmpty() && !Loopback.isLoopback(host)) {
      warnings.add("HTTP on " + host + " is plaintext: callers' tokens and data cross the network in clear text "
          + "(add --tls-cert and --tls-key, or bind --host 127.0.0.1 behind a TLS proxy)");
    }
    if (!leaderTls.enabled() && !leader.isLoopback()) {
      warnings.add("the leader at " + leader + " is dialled in plaintext: callers' tokens and data cross the network "
          + "in clear text (start the leader with --tls-cert and give the gateway --leader-tls-ca)");
    }
    return warnings;
  }

  private static boolean isOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      return uri.getScheme() != null && uri.getHost() != null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
          && uri.getRawQuery() == null && uri.getRawFragment() == null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
