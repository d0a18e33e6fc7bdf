package io.kvdb.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks for the PEM files that flags name, done while the flags are read so that a typo or a wrong
 * file stops the gateway at once (exit code 2) with the flag and the file in the message, instead of
 * at the first TLS handshake.
 */
final class PemFiles {
  private PemFiles() {}

  /** {@code value} of flag {@code --flag} as a path to a regular, readable file. */
  static Path readable(String flag, String value) {
    Path file = Path.of(value);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": cannot be read (permissions?)");
    }
    return file;
  }

  /** The certificates in {@code file}: at least one, PEM ({@code BEGIN CERTIFICATE}). */
  static List<X509Certificate> certificates(String flag, Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("--" + flag + " " + file + " holds no certificate (expected PEM: BEGIN CERTIFICATE)");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("--" + flag + " " + file + " is not a PEM certificate file (BEGIN CERTIFICATE): "
          + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": " + e.getMessage(), e);
    }
  }
}
