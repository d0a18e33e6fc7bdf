package io.kvdb.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.kvdb.common.security.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link KvClient#connect} secures the connection: plaintext, TLS trusting the JVM's root
 * certificates, or TLS trusting the certificates of one PEM file (the servers' CA, or their
 * self-signed certificates). Either TLS form checks that the server's certificate names the host
 * dialled.
 */
public final class TlsTrust {
  /** No TLS: for servers started without {@code --tls-cert}, on a trusted network or loopback. */
  public static final TlsTrust PLAINTEXT = new TlsTrust(false, Optional.empty());

  private final boolean enabled;
  private final Optional<Path> caFile;

  private TlsTrust(boolean enabled, Optional<Path> caFile) {
    this.enabled = enabled;
    this.caFile = caFile;
  }

  /** TLS, trusting the JVM's default trust store (certificates from a public CA). */
  public static TlsTrust systemRoots() {
    return new TlsTrust(true, Optional.empty());
  }

  /**
   * TLS, trusting only the certificates in {@code pemFile}.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds no
   *     PEM certificate (read now, as the TLS library will, so a wrong file fails here and not at
   *     the first call)
   */
  public static TlsTrust caFile(Path pemFile) {
    PemFiles.trustedCertificates(pemFile);
    return new TlsTrust(true, Optional.of(pemFile));
  }

  /** Whether the connection speaks TLS. */
  public boolean enabled() {
    return enabled;
  }

  /** The PEM file of trusted certificates; empty for plaintext and for the system's roots. */
  public Optional<Path> caFile() {
    return caFile;
  }

  /** The transport credentials of a channel built with this trust. */
  ChannelCredentials credentials() {
    if (!enabled) {
      return InsecureChannelCredentials.create();
    }
    if (caFile.isEmpty()) {
      return TlsChannelCredentials.create();
    }
    try {
      return TlsChannelCredentials.newBuilder().trustManager(caFile.get().toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + caFile.get() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TlsTrust that && enabled == that.enabled && caFile.equals(that.caFile);
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, caFile);
  }

  @Override
  public String toString() {
    return !enabled ? "plaintext" : caFile.map(file -> "TLS trusting " + file).orElse("TLS trusting the system's roots");
  }
}
