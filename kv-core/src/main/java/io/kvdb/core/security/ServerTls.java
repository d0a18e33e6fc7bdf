package io.kvdb.core.security;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's TLS certificate chain and private key, both PEM, checked when loaded so that a wrong
 * file fails at startup with its name instead of at the first client's handshake: the chain parses
 * and its first certificate is valid now, the key is unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
 * and belongs to that certificate.
 */
public final class ServerTls {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private final Path certFile;
  private final Path keyFile;
  private final byte[] certPem;
  private final byte[] keyPem;
  private final X509Certificate leaf;

  private ServerTls(Path certFile, Path keyFile, byte[] certPem, byte[] keyPem, X509Certificate leaf) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.leaf = leaf;
  }

  /**
   * Reads and checks the two files.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static ServerTls load(Path certFile, Path keyFile) {
    byte[] certPem = read(certFile, "certificate");
    byte[] keyPem = read(keyFile, "private key");
    X509Certificate leaf = firstCertificate(certFile, certPem);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException("the certificate in " + certFile + " expired on " + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException("the certificate in " + certFile + " is not valid before " + leaf.getNotBefore());
    }
    PrivateKey key = privateKey(keyFile, keyPem, leaf.getPublicKey());
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new IllegalArgumentException("the private key in " + keyFile + " does not belong to the certificate in "
          + certFile);
    }
    return new ServerTls(certFile, keyFile, certPem, keyPem, leaf);
  }

  private static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS " + what + " file " + file + ": " + e.getMessage(), e);
    }
  }

  private static X509Certificate firstCertificate(Path file, byte[] pem) {
    try {
      Collection<? extends java.security.cert.Certificate> chain =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
      }
      return (X509Certificate) chain.iterator().next();
    } catch (CertificateException e) {
      throw new IllegalArgumentException(file + " is not a PEM certificate chain (BEGIN CERTIFICATE): "
          + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file, byte[] pem, PublicKey certKey) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException(file + " holds an encrypted private key; give an unencrypted one "
          + "(openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem) and protect it with file permissions");
    }
    Matcher matcher = PKCS8.matcher(text);
    if (!matcher.find()) {
      String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
          ? " It holds an older format; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem"
          : "";
      throw new IllegalArgumentException(file + " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)." + hint);
    }
    byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
    try {
      return KeyFactory.getInstance(certKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not a " + certKey.getAlgorithm()
          + " private key, which the certificate's key is: " + e.getMessage(), e);
    }
  }

  /** Signs a random challenge with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey certKey) {
    String algorithm = switch (certKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      case "Ed448" -> "Ed448";
      default -> null;
    };
    if (algorithm == null) {
      return true; // an algorithm we cannot test here; the TLS library will use it or fail at start
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Credentials for a gRPC server that speaks TLS only. */
  public ServerCredentials credentials() {
    try {
      return TlsServerCredentials.create(new ByteArrayInputStream(certPem), new ByteArrayInputStream(keyPem));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the TLS files " + certFile + ", " + keyFile, e);
    }
  }

  public Path certFile() {
    return certFile;
  }

  /** Subject and expiry of the server certificate, for the startup log. */
  public String describe() {
    return "TLS with " + leaf.getSubjectX500Principal().getName() + " (expires " + leaf.getNotAfter().toInstant()
        + ", from " + certFile + ")";
  }

  @Override
  public String toString() {
    return "ServerTls[" + certFile + ", " + keyFile + "]";
  }
}
