package io.kvdb.gateway.config;

import com.linecorp.armeria.common.TlsKeyPair;
import io.kvdb.common.security.PemKeyPair;
import java.nio.file.Path;

/**
 * The certificate chain and private key the gateway serves HTTPS with ({@code --tls-cert},
 * {@code --tls-key}), both PEM, loaded and checked when the flags are read, as the gRPC servers
 * check theirs ({@link PemKeyPair}): the chain parses, its first certificate is valid now, and the
 * key is unencrypted PKCS#8 and belongs to it.
 *
 * @param certFile the PEM chain, server certificate first
 * @param keyFile its PEM private key (PKCS#8, {@code BEGIN PRIVATE KEY}, unencrypted)
 * @param keyPair both, parsed, for Armeria
 * @param pem both, as checked, for the startup log
 */
public record HttpsCertificate(Path certFile, Path keyFile, TlsKeyPair keyPair, PemKeyPair pem) {
  /**
   * Loads the two files.
   *
   * @throws IllegalArgumentException naming the flag and file that is missing or wrong
   */
  public static HttpsCertificate load(String certFile, String keyFile) {
    PemKeyPair pem = PemKeyPair.load("tls-cert", Path.of(certFile), "tls-key", Path.of(keyFile));
    return new HttpsCertificate(pem.certFile(), pem.keyFile(), TlsKeyPair.of(pem.privateKey(), pem.chain()), pem);
  }

  /** Subject and expiry, for the startup log. */
  public String describe() {
    return pem.describe();
  }
}
