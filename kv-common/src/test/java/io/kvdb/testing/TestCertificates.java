package io.kvdb.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TLS certificates made at test time with the JDK's own {@code keytool} (no extra library, nothing
 * committed): a self-signed EC P-256 certificate for {@code localhost} and {@code 127.0.0.1}, written
 * as PEM next to its PKCS#8 private key. Being self-signed, the certificate is also the trust root
 * clients are given.
 */
public final class TestCertificates {
  private static final char[] STORE_PASSWORD = "test-only".toCharArray();

  /** A certificate file and its private key file, both PEM. */
  public record Pem(Path cert, Path key) {}

  private TestCertificates() {}

  /** A certificate valid from now for two days. */
  public static Pem selfSigned(Path dir, String name) {
    return selfSigned(dir, name, null, 2);
  }

  /**
   * A certificate valid for {@code days} from {@code startDate} (keytool's syntax, e.g. "-10d";
   * null: now).
   */
  public static Pem selfSigned(Path dir, String name, String startDate, int days) {
    Path store = dir.resolve(name + ".p12");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-noprompt",
        "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", Integer.toString(days),
        "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD)));
    if (startDate != null) {
      command.addAll(List.of("-startdate", startDate));
    }
    run(command);
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(in, STORE_PASSWORD);
      PrivateKey key = (PrivateKey) keyStore.getKey(name, STORE_PASSWORD);
      Certificate cert = keyStore.getCertificate(name);
      Path certFile = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", cert.getEncoded()));
      Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
      Files.delete(store);
      return new Pem(certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
