package io.kvdb.gateway.config;

import com.linecorp.armeria.common.TlsKeyPair;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;

/**
 * The certificate chain and private key the gateway serves HTTPS with ({@code --tls-cert},
 * {@code --tls-key}), both PEM, loaded and checked when the flags are read: the chain parses, its
 * first certificate is valid now, and the key is one Armeria can read and belongs to it.
 *
 * @param certFile the PEM chain, server certificate first
 * @param keyFile its PEM private key (PKCS#8, {@code BEGIN PRIVATE KEY}, unencrypted)
 * @param keyPair both, parsed
 */
public record HttpsCertificate(Path certFile, Path keyFile, TlsKeyPair keyPair) {
  /**
   * Loads the two files.
   *
   * @throws IllegalArgumentException naming the flag and file that is missing or wrong
   */
  public static HttpsCertificate load(String certFile, String keyFile) {
    Path cert = PemFiles.readable("tls-cert", certFile);
    Path key = PemFiles.readable("tls-key", keyFile);
    X509Certificate leaf = PemFiles.certificates("tls-cert", cert).get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException("--tls-cert " + cert + " expired on " + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException("--tls-cert " + cert + " is not valid before " + leaf.getNotBefore());
    }
    TlsKeyPair pair;
    try {
      pair = TlsKeyPair.of(key.toFile(), cert.toFile());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--tls-key " + key + " is not an unencrypted PEM private key (BEGIN PRIVATE KEY)"
          + " for --tls-cert " + cert + ": " + e.getMessage(), e);
    }
    if (!belongTogether(pair.privateKey(), leaf.getPublicKey())) {
      throw new IllegalArgumentException("--tls-key " + key + " does not belong to --tls-cert " + cert);
    }
    return new HttpsCertificate(cert, key, pair);
  }

  /**
   * Whether {@code key} is the private half of {@code certKey}: it signs a random challenge that
   * {@code certKey} then verifies. Without this check a wrong key only shows at the first
   * handshake, as an error in the client's log rather than the gateway's.
   */
  private static boolean belongTogether(PrivateKey key, PublicKey certKey) {
    if (!key.getAlgorithm().equals(certKey.getAlgorithm())) {
      return false;
    }
    String algorithm = switch (certKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // no check for this algorithm here; the TLS library judges it at start
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certKey);
      verifier.update(challenge);
      return verifier.verify(signer.sign());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Subject and expiry, for the startup log. */
  public String describe() {
    X509Certificate leaf = keyPair.certificateChain().get(0);
    return leaf.getSubjectX500Principal().getName() + " (expires " + leaf.getNotAfter().toInstant() + ", from "
        + certFile + ")";
  }
}
