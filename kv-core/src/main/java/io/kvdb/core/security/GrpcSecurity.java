package io.kvdb.core.security;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.kvdb.common.config.FlagFiles;
import io.kvdb.common.config.Flags;
import io.kvdb.common.net.Loopback;
import io.kvdb.core.security.BearerTokens.Role;
import java.util.Optional;

/**
 * How a kvdb gRPC server (leader or follower) is secured: optional TLS on the transport and
 * optional bearer tokens on the data services. Leader and follower declare and read the same
 * flags through {@link #declareFlags} and {@link #fromFlags}.
 *
 * @param tls when present, the server speaks TLS only
 * @param tokens when present, the data services need a bearer token (health and reflection stay open)
 */
public record GrpcSecurity(Optional<ServerTls> tls, Optional<BearerTokens> tokens) {
  /** Plaintext, no tokens: the default. */
  public static final GrpcSecurity NONE = new GrpcSecurity(Optional.empty(), Optional.empty());

  public static GrpcSecurity withTokens(BearerTokens tokens) {
    return new GrpcSecurity(Optional.empty(), Optional.of(tokens));
  }

  /** Adds --tls-cert, --tls-key and --token-file. */
  public static Flags declareFlags(Flags flags) {
    return flags
        .declare("tls-cert", "", "PEM certificate chain: the gRPC port then speaks TLS only (needs --tls-key)")
        .declare("tls-key", "", "PEM PKCS#8 private key of --tls-cert (BEGIN PRIVATE KEY)")
        .declare("token-file", "", "file of 'ROLE TOKEN' lines, ROLE read or write: gRPC data calls then need "
            + "the header 'authorization: Bearer TOKEN' (health and reflection stay open)");
  }

  /**
   * Reads the flags of {@link #declareFlags} and loads the files they name.
   *
   * @throws IllegalArgumentException naming the flag and file when a file is missing or wrong
   */
  public static GrpcSecurity fromFlags(Flags flags) {
    FlagFiles.together(flags, "tls-cert", "tls-key", "a certificate is served with its private key");
    // The messages of ServerTls name the flag and the file.
    Optional<ServerTls> tls = FlagFiles.optional(flags, "tls-cert")
        .map(cert -> ServerTls.load(cert, FlagFiles.optional(flags, "tls-key").orElseThrow()));
    return new GrpcSecurity(tls, FlagFiles.load(flags, "token-file", BearerTokens::load));
  }

  /** Transport credentials for the server builder: TLS, or plaintext when no certificate is set. */
  public ServerCredentials credentials() {
    return tls.map(ServerTls::credentials).orElseGet(InsecureServerCredentials::create);
  }

  /** {@code service}, behind the bearer token check when tokens are set. */
  public ServerServiceDefinition protect(BindableService service) {
    ServerServiceDefinition definition = service.bindService();
    return tokens.map(t -> ServerInterceptors.intercept(definition, new BearerAuthInterceptor(t)))
        .orElse(definition);
  }

  /** True when neither TLS nor tokens are on: anyone who reaches the port may read and write. */
  public boolean isOpen() {
    return tls.isEmpty() && tokens.isEmpty();
  }

  /**
   * A warning for the startup log when a port bound to {@code host} is reachable from other
   * machines without protection; empty on loopback or when TLS and tokens are both on.
   */
  public Optional<String> exposure(String host) {
    if (Loopback.isLoopback(host)) {
      return Optional.empty();
    }
    if (isOpen()) {
      return Optional.of("gRPC on " + host + " has neither TLS nor bearer tokens: anyone who can reach this port can "
          + "call its API (see --tls-cert, --token-file, or --host 127.0.0.1)");
    }
    if (tls.isEmpty()) {
      return Optional.of("gRPC on " + host + " takes bearer tokens over plaintext: anyone on the network path can read"
          + " the tokens and the data (add --tls-cert and --tls-key)");
    }
    if (tokens.isEmpty()) {
      return Optional.of("gRPC on " + host + " uses TLS but no bearer tokens: any client that trusts the certificate"
          + " can call its API (add --token-file)");
    }
    return Optional.empty();
  }

  /** One line for the startup log. */
  public String describe() {
    String transport = tls.map(ServerTls::describe).orElse("plaintext");
    String auth = tokens.map(t -> "bearer tokens (" + t.count(Role.READ) + " read, " + t.count(Role.WRITE) + " write)")
        .orElse("no tokens");
    return transport + ", " + auth;
  }
}
