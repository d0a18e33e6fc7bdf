package io.kvdb.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How {@code kv bench --protocol http} reaches the gateway: the CLI's token (sent as
 * {@code Authorization: Bearer}) and TLS flags, which make it speak HTTPS.
 *
 * @param token the bearer token, if any
 * @param tlsCa {@code --tls-ca}: HTTPS trusting the PEM certificates in this file
 * @param systemTls {@code --tls}: HTTPS trusting the JVM's default roots (ignored with {@code tlsCa})
 */
public record HttpAccess(Optional<String> token, Optional<Path> tlsCa, boolean systemTls) {
  /** Whether the gateway is spoken to over HTTPS. */
  boolean https() {
    return tlsCa.isPresent() || systemTls;
  }

  /** The TLS context of an HTTPS client; the JVM's default without {@code --tls-ca}. */
  SSLContext sslContext() {
    try {
      if (tlsCa.isEmpty()) {
        return SSLContext.getDefault();
      }
      KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
      roots.load(null, null);
      try (InputStream in = Files.newInputStream(tlsCa.get())) {
        int n = 0;
        for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          roots.setCertificateEntry("ca-" + n++, certificate);
        }
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(roots);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      // The CLI checked the file before (it holds PEM certificates): this is no usage mistake.
      throw new IllegalStateException("--tls-ca " + tlsCa.orElseThrow() + ": " + e.getMessage(), e);
    }
  }
}
