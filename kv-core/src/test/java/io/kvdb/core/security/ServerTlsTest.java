package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.common.config.Flags;
import io.kvdb.testing.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and token flags fail at startup, naming the flag and the file, instead of at the first call.
 * The checks of the PEM files themselves are kv-common's (PemFilesTest).
 */
class ServerTlsTest {
  @TempDir Path dir;

  @Test
  void aMatchingCertificateAndKeyLoad() {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "server");
    ServerTls tls = ServerTls.load(pem.cert(), pem.key());
    assertTrue(tls.describe().contains("CN=localhost"), tls.describe());
    tls.credentials();
  }

  @Test
  void flagsNameTheMissingFileOrPartner() {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "server");
    assertMessage(() -> parse("--tls-cert", pem.cert().toString()), "--tls-cert needs --tls-key");
    Path missing = dir.resolve("nope.key");
    assertMessage(() -> parse("--tls-cert", pem.cert().toString(), "--tls-key", missing.toString()),
        "--tls-key " + missing + ": no such file");
    assertMessage(() -> parse("--token-file", missing.toString()), "--token-file " + missing + ": no such file");
    assertTrue(parse().isOpen());
    assertTrue(parse("--tls-cert", pem.cert().toString(), "--tls-key", pem.key().toString()).tls().isPresent());
  }

  private static GrpcSecurity parse(String... args) {
    Flags flags = GrpcSecurity.declareFlags(new Flags("test"));
    flags.parse(args);
    return GrpcSecurity.fromFlags(flags);
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable action, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
