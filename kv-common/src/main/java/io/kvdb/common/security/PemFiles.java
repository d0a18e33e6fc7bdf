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

  /** The whole of {@code file}, the error naming the flag. */
  static byte[] read(String flag, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The certificates in {@code pem}, the contents of {@code file}: at least one, PEM
   * ({@code BEGIN CERTIFICATE}), in file order.
   */
  static List<X509Certificate> certificates(String flag, Path file, byte[] pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      for (Certificate certificate : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("--" + flag + " " + file + " is not a PEM certificate file (BEGIN CERTIFICATE): "
          + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("--" + flag + " " + file + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
    }
    return certificates;
  }
}
