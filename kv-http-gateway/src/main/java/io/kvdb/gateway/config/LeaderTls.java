package io.kvdb.gateway.config;

import io.kvdb.common.security.PemFiles;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the gateway dials the leader's gRPC port: plaintext (the default, for a leader without
 * {@code --tls-cert}), or TLS that trusts either the system's root certificates or the
 * certificates of one PEM file (a private CA, or the leader's self-signed certificate). With TLS the
 * leader's certificate must also name the host of {@code --leader}.
 *
 * @param enabled whether to speak TLS to the leader
 * @param trustedCerts the PEM file of trusted roots; empty: the JVM's default trust store
 */
public record LeaderTls(boolean enabled, Optional<Path> trustedCerts) {
  /** Plaintext HTTP/2, as to a leader started without --tls-cert. */
  public static final LeaderTls PLAINTEXT = new LeaderTls(false, Optional.empty());

  public LeaderTls {
    if (trustedCerts.isPresent() && !enabled) {
      throw new IllegalArgumentException("trusted certificates make sense only with TLS");
    }
  }

  /** TLS, trusting the roots of the JVM's default trust store. */
  public static LeaderTls systemTrust() {
    return new LeaderTls(true, Optional.empty());
  }

  /**
   * TLS, trusting only the certificates in {@code caFile}, the value of {@code --leader-tls-ca}.
   *
   * @throws IllegalArgumentException naming the flag and the file when it is missing or holds no PEM
   *     certificate
   */
  public static LeaderTls trusting(Path caFile) {
    return new LeaderTls(true, Optional.of(PemFiles.trustedCertificates("leader-tls-ca", caFile.toString())));
  }

  /** For the startup log. */
  public String describe() {
    if (!enabled) {
      return "plaintext";
    }
    return trustedCerts.map(file -> "TLS, trusting " + file).orElse("TLS, trusting the system's root certificates");
  }
}
