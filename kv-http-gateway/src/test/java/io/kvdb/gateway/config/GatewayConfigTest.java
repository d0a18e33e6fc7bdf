package io.kvdb.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.client.TlsTrust;
import io.kvdb.common.net.HostPort;
import io.kvdb.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
  @Test
  void defaultsMatchTheDesign() {
    GatewayConfig config = GatewayConfig.fromArgs().orElseThrow();

    assertEquals("0.0.0.0", config.host());
    assertEquals(3000, config.port());
    assertEquals(new HostPort("127.0.0.1", 50051), config.leader());
    assertEquals(List.of(), config.corsOrigins());
    assertEquals(GatewayConfig.DEFAULT_MAX_BODY_BYTES, config.maxBodyBytes());
  }

  @Test
  void theLaunchersFlagsParse() {
    GatewayConfig config = GatewayConfig.fromArgs("--host", "127.0.0.1", "--port", "3000", "--leader",
        "127.0.0.1:50051", "--cors-origins", "http://localhost:3000,http://127.0.0.1:3000").orElseThrow();

    assertEquals("127.0.0.1", config.host());
    assertEquals(List.of("http://localhost:3000", "http://127.0.0.1:3000"), config.corsOrigins());
  }

  @Test
  void equalsFormSizesAndTimeouts() {
    GatewayConfig config = GatewayConfig.fromArgs("--max-body-bytes=64k", "--leader-timeout-ms=2500",
        "--leader=[::1]:6000").orElseThrow();

    assertEquals(64 * 1024, config.maxBodyBytes());
    assertEquals(Duration.ofMillis(2500), config.leaderTimeout());
    assertEquals(new HostPort("::1", 6000), config.leader());
    assertEquals("[::1]:6000", config.leader().toString());
  }

  @Test
  void helpIsNotAConfig() {
    assertTrue(GatewayConfig.fromArgs("--help").isEmpty());
    assertTrue(GatewayConfig.usage().contains("--cors-origins"));
  }

  @Test
  void readmeFlagsBlockIsTheHelpOutput() throws IOException {
    // Tests run in the module's directory.
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("\n## Flags\n"));
    int start = section.indexOf("```\n") + 4;
    assertEquals(GatewayConfig.usage(), section.substring(start, section.indexOf("```", start)));
  }

  @Test
  void booleansAndSizesAreSpelledAsForEveryProcess() {
    assertEquals(TlsTrust.systemRoots(), GatewayConfig.fromArgs("--leader-tls=yes").orElseThrow().leaderTls());
    assertEquals(TlsTrust.PLAINTEXT, GatewayConfig.fromArgs("--leader-tls=0").orElseThrow().leaderTls());
    assertEquals(1L << 30, GatewayConfig.fromArgs("--max-body-bytes", "1g").orElseThrow().maxBodyBytes());
    assertEquals(Duration.ofMillis(2048), GatewayConfig.fromArgs("--leader-timeout-ms", "2k").orElseThrow().leaderTimeout());
  }

  @Test
  void followersAreHostPortsAndTheRefreshAPeriod() {
    GatewayConfig config = GatewayConfig.fromArgs("--followers", "10.0.0.2:50061,[::1]:50062",
        "--shard-map-refresh-ms", "250").orElseThrow();
    assertEquals(List.of(new HostPort("10.0.0.2", 50061), new HostPort("::1", 50062)), config.followers());
    assertEquals(Duration.ofMillis(250), config.shardMapRefresh());
    assertEquals(List.of(), GatewayConfig.fromArgs().orElseThrow().followers());
    assertMessage("--followers must be HOST:PORT", "--followers", "10.0.0.2");
    assertMessage("shard map refresh must be > 0", "--shard-map-refresh-ms", "0");
  }

  @Test
  void badFlagsNameWhatIsWrong() {
    assertMessage("unknown flag --prot", "--prot", "1");
    assertMessage("--port needs a number", "--port", "http");
    assertMessage("--port must be in 0..65535", "--port", "70000");
    assertMessage("HOST:PORT", "--leader", "localhost");
    assertMessage("--leader: the port is not a number", "--leader", "localhost:x");
    assertMessage("IPv6", "--leader", "::1:50051");
    assertMessage("CORS origin", "--cors-origins", "localhost:3000");
    assertMessage("CORS origin", "--cors-origins", "http://a.test/path");
    assertMessage("needs a value", "--leader");
    assertMessage("unexpected argument", "gateway");
    assertMessage("--leader: the port must be in 1..65535", "--leader", "localhost:0");
    assertMessage("flag --leader-tls needs true or false", "--leader-tls=maybe");
    assertMessage("max body bytes must be > 0", "--max-body-bytes", "0");
  }

  @Test
  void tlsFlagsLoadTheirFiles(@TempDir Path dir) {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "gateway");

    GatewayConfig config = GatewayConfig.fromArgs("--tls-cert", pem.cert().toString(), "--tls-key",
        pem.key().toString(), "--leader-tls-ca", pem.cert().toString()).orElseThrow();

    assertEquals("https", config.scheme());
    assertEquals(pem.cert(), config.https().orElseThrow().certFile());
    assertEquals(TlsTrust.caFile(pem.cert()), config.leaderTls());
    assertEquals(TlsTrust.PLAINTEXT, GatewayConfig.fromArgs().orElseThrow().leaderTls());
    assertEquals(TlsTrust.systemRoots(), GatewayConfig.fromArgs("--leader-tls").orElseThrow().leaderTls());
    assertEquals(TlsTrust.PLAINTEXT, GatewayConfig.fromArgs("--leader-tls=false").orElseThrow().leaderTls());
    assertTrue(GatewayConfig.usage().contains("--leader-tls-ca VALUE"), GatewayConfig.usage());
    assertTrue(GatewayConfig.usage().contains("--leader-tls  "), "a switch takes no value: " + GatewayConfig.usage());
  }

  @Test
  void badTlsFilesNameTheFlagAndTheFile(@TempDir Path dir) throws IOException {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "gateway");
    TestCertificates.Pem other = TestCertificates.selfSigned(dir, "other");
    String missing = dir.resolve("missing.crt").toString();
    String notPem = Files.writeString(dir.resolve("not.pem"), "hello\n").toString();
    String cert = pem.cert().toString();

    assertMessage("--tls-cert " + missing + ": no such file", "--tls-cert", missing, "--tls-key", pem.key().toString());
    assertMessage("--tls-key " + missing + ": no such file", "--tls-cert", cert, "--tls-key", missing);
    assertMessage("--tls-cert needs --tls-key", "--tls-cert", cert);
    assertMessage("--tls-key needs --tls-cert", "--tls-key", pem.key().toString());
    assertMessage("--tls-cert " + notPem, "--tls-cert", notPem, "--tls-key", pem.key().toString());
    assertMessage("--tls-key " + notPem, "--tls-cert", cert, "--tls-key", notPem);
    assertMessage("--tls-key " + cert, "--tls-cert", cert, "--tls-key", cert);
    assertMessage("does not belong to --tls-cert", "--tls-cert", cert, "--tls-key", other.key().toString());
    assertMessage("--leader-tls-ca " + missing + ": no such file", "--leader-tls-ca", missing);
    assertMessage("--leader-tls-ca " + notPem + " is not a PEM certificate file", "--leader-tls-ca", notPem);
    assertMessage("--leader-tls needs true or false", "--leader-tls=maybe");
  }

  @Test
  void plaintextOffLoopbackIsWarnedAbout() {
    assertEquals(List.of(), GatewayConfig.fromArgs("--host", "127.0.0.1").orElseThrow().exposureWarnings());
    List<String> open = GatewayConfig.fromArgs("--host", "0.0.0.0", "--leader", "10.0.0.5:50051").orElseThrow()
        .exposureWarnings();
    assertEquals(2, open.size(), open.toString());
    assertTrue(open.get(0).contains("--tls-cert"), open.get(0));
    assertTrue(open.get(1).contains("--leader-tls-ca"), open.get(1));
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromArgs(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
