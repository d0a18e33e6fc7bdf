package io.kvdb.core.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.kvdb.common.security.PemKeyPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The TLS of a gRPC server (leader or follower): the certificate chain and private key of
 * {@code --tls-cert} and {@code --tls-key}, checked when loaded ({@link PemKeyPair}), as
 * credentials for the server builder.
 */
public final class ServerTls {
  private final PemKeyPair pair;

  private ServerTls(PemKeyPair pair) {
    this.pair = pair;
  }

  /**
   * Reads and checks the two files.
   *
   * @throws IllegalArgumentException naming the flag, the file and what is wrong with it
   */
  public static ServerTls load(Path certFile, Path keyFile) {
    return new ServerTls(PemKeyPair.load("tls-cert", certFile, "tls-key", keyFile));
  }

  /** Credentials for a gRPC server that speaks TLS only, from the bytes that were checked. */
  public ServerCredentials credentials() {
    try {
      return TlsServerCredentials.create(new ByteArrayInputStream(pair.certPem()),
          new ByteArrayInputStream(pair.keyPem()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the TLS files " + pair.certFile() + ", " + pair.keyFile(), e);
    }
  }

  public Path certFile() {
    return pair.certFile();
  }

  /** Subject and expiry of the server certificate, for the startup log. */
  public String describe() {
    return "TLS with " + pair.describe();
  }

  @Override
  public String toString() {
    return "ServerTls[" + pair.certFile() + ", " + pair.keyFile() + "]";
  }
}
