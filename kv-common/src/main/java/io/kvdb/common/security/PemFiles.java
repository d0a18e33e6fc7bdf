package io.kvdb.common.security;

import io.kvdb.common.config.FlagFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks for the PEM certificate files that flags name ({@code --tls-cert}, {@code --tls-ca},
 * {@code --leader-tls-ca}), made as the TLS library will read them, so that a wrong file stops the
 * process at once with the flag and the file in the message instead of failing the first handshake.
 */
public final class PemFiles {
  private PemFiles() {}

  /**
   * The file of flag {@code --flag}, checked to be readable and to hold PEM certificates: the roots
   * a client trusts.
   *
   * @throws IllegalArgumentException naming the flag and the file
   */
  public static Path trustedCertificates(String flag, String value) {
    Path file = FlagFiles.readable(flag, value);
    certificates(flag, file, read(flag, file));
    return file;
  }

  /**
   * {@code file} checked as {@link #trustedCertificates(String, String)} checks a flag's file, for a
   * file that no flag names (a library's caller passes it): the messages begin with the file, so a
   * caller that knows the flag can prefix it ({@code "--tls-ca " + message}).
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds no PEM
   *     certificate
   */
  public static Path trustedCertificates(Path file) {
    String label = file.toString();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(label + ": no such file");
    }
    certificatesIn(label, readAll(label, file));
    return file;
  }

  /** The whole of {@code file}, the error naming the flag. */
  static byte[] read(String flag, Path file) {
    return readAll(named(flag, file), file);
  }

  /**
   * The certificates in {@code pem}, the contents of {@code file}: at least one, PEM
   * ({@code BEGIN CERTIFICATE}), in file order.
   */
  static List<X509Certificate> certificates(String flag, Path file, byte[] pem) {
    return certificatesIn(named(flag, file), pem);
  }

  /** How messages name a flag's file: {@code --flag FILE}. */
  private static String named(String flag, Path file) {
    return "--" + flag + " " + file;
  }

  /** {@code label} names the file in messages: {@code --flag FILE}, or the file alone. */
  private static byte[] readAll(String label, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(label + ": cannot be read: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificatesIn(String label, byte[] pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      for (Certificate certificate : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(label + " is not a PEM certificate file (BEGIN CERTIFICATE): "
          + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(label + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
    }
    return certificates;
  }
}
