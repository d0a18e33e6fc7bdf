package io.kvdb.common.security;

import io.kvdb.common.config.FlagFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's certificate chain and private key from two PEM files ({@code --tls-cert},
 * {@code --tls-key}), checked when loaded so that a wrong file fails at startup with the flag and
 * the file in the message instead of at the first client's handshake: the chain parses and its
 * first certificate is valid now, the key is unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) and
 * belongs to that certificate. The gRPC servers and the HTTPS gateway both load theirs here.
 */
public final class PemKeyPair {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private final Path certFile;
  private final Path keyFile;
  private final byte[] certPem;
  private final byte[] keyPem;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  private PemKeyPair(Path certFile, Path keyFile, byte[] certPem, byte[] keyPem, List<X509Certificate> chain,
      PrivateKey privateKey) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
  }

  /**
   * Reads and checks the two files.
   *
   * @param certFlag the flag naming {@code certFile} in messages, without dashes (e.g. "tls-cert")
   * @param keyFlag the flag naming {@code keyFile}
   * @throws IllegalArgumentException naming the flag, the file and what is wrong with it
   */
  public static PemKeyPair load(String certFlag, Path certFile, String keyFlag, Path keyFile) {
    FlagFiles.readable(certFlag, certFile.toString());
    FlagFiles.readable(keyFlag, keyFile.toString());
    byte[] certPem = PemFiles.read(certFlag, certFile);
    byte[] keyPem = PemFiles.read(keyFlag, keyFile);
    List<X509Certificate> chain = PemFiles.certificates(certFlag, certFile, certPem);
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new IllegalArgumentException("--" + certFlag + " " + certFile + " expired on " + leaf.getNotAfter());
    } catch (CertificateNotYetValidException e) {
      throw new IllegalArgumentException("--" + certFlag + " " + certFile + " is not valid before " + leaf.getNotBefore());
    }
    PrivateKey key = privateKey(keyFlag, keyFile, keyPem, leaf.getPublicKey());
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new IllegalArgumentException("--" + keyFlag + " " + keyFile + " does not belong to --" + certFlag + " "
          + certFile);
    }
    return new PemKeyPair(certFile, keyFile, certPem, keyPem, chain, key);
  }

  private static PrivateKey privateKey(String flag, Path file, byte[] pem, PublicKey certKey) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    String named = "--" + flag + " " + file;
    if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException(named + " holds an encrypted private key; give an unencrypted one "
          + "(openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem) and protect it with file permissions");
    }
    Matcher matcher = PKCS8.matcher(text);
    if (!matcher.find()) {
      String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
          ? " It holds an older format; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem"
          : "";
      throw new IllegalArgumentException(named + " holds no PEM PKCS#8 private key (BEGIN PRIVATE KEY)." + hint);
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
      return KeyFactory.getInstance(certKey.getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(named + " is not a " + certKey.getAlgorithm()
          + " private key, which the certificate's key is: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code key} is the private half of {@code certKey}: it signs a random challenge that
   * {@code certKey} then verifies. Without this check a wrong key only shows at the first
   * handshake, as an error in the client's log rather than the server's.
   */
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

  public Path certFile() {
    return certFile;
  }

  public Path keyFile() {
    return keyFile;
  }

  /** The certificate file's bytes, as checked. */
  public byte[] certPem() {
    return certPem.clone();
  }

  /** The key file's bytes, as checked. */
  public byte[] keyPem() {
    return keyPem.clone();
  }

  /** The chain, server certificate first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Subject and expiry of the server certificate, and its file, for the startup log. */
  public String describe() {
    X509Certificate leaf = chain.get(0);
    return leaf.getSubjectX500Principal().getName() + " (expires " + leaf.getNotAfter().toInstant() + ", from "
        + certFile + ")";
  }

  /** Files only: the key never reaches a log. */
  @Override
  public String toString() {
    return "PemKeyPair[" + certFile + ", " + keyFile + "]";
  }
}
