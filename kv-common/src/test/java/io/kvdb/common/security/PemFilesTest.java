package io.kvdb.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate and key checks of every process, on files made by keytool for this run. */
class PemFilesTest {
  @TempDir static Path dir;
  static TestCertificates.Pem server;
  static TestCertificates.Pem other;

  @BeforeAll
  static void certificates() {
    server = TestCertificates.selfSigned(dir, "server");
    other = TestCertificates.selfSigned(dir, "other");
  }

  private static String refusal(org.junit.jupiter.api.function.Executable action) {
    return assertThrows(IllegalArgumentException.class, action).getMessage();
  }

  private static PemKeyPair load(Path cert, Path key) {
    return PemKeyPair.load("tls-cert", cert, "tls-key", key);
  }

  @Test
  void trustedCertificatesAreAFileOfPemCertificates() throws IOException {
    assertEquals(server.cert(), PemFiles.trustedCertificates("tls-ca", server.cert().toString()));
    Path both = dir.resolve("both.pem");
    Files.writeString(both, Files.readString(server.cert()) + Files.readString(other.cert()));
    assertEquals(both, PemFiles.trustedCertificates("tls-ca", both.toString()));
  }

  @Test
  void aWrongTrustFileNamesTheFlagAndTheFile() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path text = Files.writeString(dir.resolve("hello.pem"), "hello\n");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertEquals("--tls-ca " + missing + ": no such file",
        refusal(() -> PemFiles.trustedCertificates("tls-ca", missing.toString())));
    assertTrue(refusal(() -> PemFiles.trustedCertificates("tls-ca", text.toString()))
        .startsWith("--tls-ca " + text + " is not a PEM certificate file (BEGIN CERTIFICATE)"));
    assertEquals("--tls-ca " + empty + " holds no certificate (expected PEM: BEGIN CERTIFICATE)",
        refusal(() -> PemFiles.trustedCertificates("tls-ca", empty.toString())));
    assertTrue(refusal(() -> PemFiles.trustedCertificates("tls-ca", server.key().toString()))
        .startsWith("--tls-ca " + server.key()), "a key is no certificate");
  }

  @Test
  void aFileNoFlagNamesIsCheckedAlikeAndNamedAlone() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path text = Files.writeString(dir.resolve("hello.pem"), "hello\n");
    assertEquals(server.cert(), PemFiles.trustedCertificates(server.cert()));
    assertEquals(missing + ": no such file", refusal(() -> PemFiles.trustedCertificates(missing)));
    assertTrue(refusal(() -> PemFiles.trustedCertificates(text))
        .startsWith(text + " is not a PEM certificate file (BEGIN CERTIFICATE)"));
    assertTrue(refusal(() -> PemFiles.trustedCertificates(dir)).startsWith(dir + ": no such file"), "a directory");
  }

  @Test
  void aCertificateAndItsKeyLoad() {
    PemKeyPair pair = load(server.cert(), server.key());
    assertEquals(1, pair.chain().size());
    assertEquals("EC", pair.privateKey().getAlgorithm());
    assertTrue(pair.describe().startsWith("CN=localhost (expires "), pair.describe());
    assertTrue(pair.describe().endsWith("from " + server.cert() + ")"), pair.describe());
    assertTrue(new String(pair.certPem(), java.nio.charset.StandardCharsets.US_ASCII).contains("BEGIN CERTIFICATE"));
    assertEquals("PemKeyPair[" + server.cert() + ", " + server.key() + "]", pair.toString(), "no key material");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertEquals("--tls-key " + other.key() + " does not belong to --tls-cert " + server.cert(),
        refusal(() -> load(server.cert(), other.key())));
  }

  @Test
  void anExpiredOrNotYetValidCertificateIsRefused() {
    TestCertificates.Pem old = TestCertificates.selfSigned(dir, "old", "-10d", 2);
    assertTrue(refusal(() -> load(old.cert(), old.key())).startsWith("--tls-cert " + old.cert() + " expired on "));
    TestCertificates.Pem later = TestCertificates.selfSigned(dir, "later", "+10d", 2);
    assertTrue(refusal(() -> load(later.cert(), later.key()))
        .startsWith("--tls-cert " + later.cert() + " is not valid before "));
  }

  @Test
  void keysInOtherFormatsSayHowToConvertThem() throws IOException {
    Path legacy = Files.writeString(dir.resolve("legacy.key"),
        "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertTrue(refusal(() -> load(server.cert(), legacy)).contains("openssl pkcs8 -topk8 -nocrypt -in " + legacy));
    Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertTrue(refusal(() -> load(server.cert(), encrypted))
        .startsWith("--tls-key " + encrypted + " holds an encrypted private key"));
    assertTrue(refusal(() -> load(server.cert(), server.cert()))
        .startsWith("--tls-key " + server.cert() + " holds no PEM PKCS#8 private key"));
    Path garbage = Files.writeString(dir.resolve("garbage.key"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertTrue(refusal(() -> load(server.cert(), garbage)).startsWith("--tls-key " + garbage + " is not a EC private key"));
  }

  @Test
  void missingFilesNameTheirFlag() {
    Path missing = dir.resolve("nope");
    assertEquals("--tls-cert " + missing + ": no such file", refusal(() -> load(missing, server.key())));
    assertEquals("--tls-key " + missing + ": no such file", refusal(() -> load(server.cert(), missing)));
    assertTrue(refusal(() -> load(server.key(), server.key())).startsWith("--tls-cert " + server.key()));
  }
}
