package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.api.v1.GetRequest;
import io.kvdb.client.TlsTrust;
import io.kvdb.core.config.Limits;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.security.ServerTls;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.config.HttpsCertificate;
import io.kvdb.testing.TestCertificates;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides of the gateway, with certificates made by keytool at test time: HTTPS on its
 * own port (--tls-cert, --tls-key), and a leader whose gRPC port speaks TLS only, dialled with
 * --leader-tls-ca. Real handshakes over loopback.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GatewayTlsTest {
  static final String WRITER = "writer-token-0123456789";

  @TempDir Path dir;

  @Test
  void httpsServesTheApiAndPlainHttpToThatPortFails() throws Exception {
    TestCertificates.Pem cert = TestCertificates.selfSigned(dir, "gateway");
    try (InProcessLeader leader = InProcessLeader.start(dir.resolve("data"), Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
            .withHttps(HttpsCertificate.load(cert.cert().toString(), cert.key().toString())), trusting(cert.cert()))) {
      assertTrue(gateway.uri("/").toString().startsWith("https://"));
      assertEquals(200, gateway.get("/health").status());
      Reply set = gateway.set("over-https", "yes");
      assertEquals(200, set.status(), set.body());
      assertEquals("yes", gateway.get("/get/over-https").json().get("value").asText());

      try (GatewayUnderTest plain = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
        var plainToTls = java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/health");
        assertThrows(UncheckedIOException.class,
            () -> plain.send(java.net.http.HttpRequest.newBuilder(plainToTls).GET()),
            "plain HTTP to the HTTPS port gets no answer");
      }
    }
  }

  @Test
  void aTlsLeaderIsReachedWithLeaderTlsCaAndTheCallersToken() throws Exception {
    TestCertificates.Pem leaderCert = TestCertificates.selfSigned(dir, "leader");
    GrpcSecurity security = new GrpcSecurity(Optional.of(ServerTls.load(leaderCert.cert(), leaderCert.key())),
        Optional.of(BearerTokens.of(Map.of(WRITER, Role.WRITE))));
    TestCertificates.Pem gatewayCert = TestCertificates.selfSigned(dir, "gateway");
    try (InProcessLeader leader = InProcessLeader.start(dir.resolve("data"), Limits.DEFAULT, security);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
            .withLeaderTls(TlsTrust.caFile(leaderCert.cert()))
            .withHttps(HttpsCertificate.load(gatewayCert.cert().toString(), gatewayCert.key().toString())),
            trusting(gatewayCert.cert()))) {
      Reply set = gateway.as(WRITER).set("tls/end-to-end", "encrypted both ways");

      assertEquals(200, set.status(), set.body());
      assertEquals("encrypted both ways", leader.kv(WRITER)
          .get(GetRequest.newBuilder().setKey("tls/end-to-end").build()).getValue().toStringUtf8());
      assertEquals(401, gateway.get("/get/tls%2Fend-to-end").status(), "TLS is no substitute for the token");
    }
  }

  @Test
  void aTlsLeaderDialledInPlaintextOrUntrustedIs503() throws Exception {
    TestCertificates.Pem leaderCert = TestCertificates.selfSigned(dir, "leader");
    TestCertificates.Pem stranger = TestCertificates.selfSigned(dir, "stranger");
    GrpcSecurity security = new GrpcSecurity(Optional.of(ServerTls.load(leaderCert.cert(), leaderCert.key())),
        Optional.empty());
    try (InProcessLeader leader = InProcessLeader.start(dir.resolve("data"), Limits.DEFAULT, security);
        GatewayUnderTest plaintext = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()));
        GatewayUnderTest untrusting = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
            .withLeaderTls(TlsTrust.caFile(stranger.cert())))) {
      Reply hungUp = plaintext.set("never", "stored");
      assertEquals(503, hungUp.status(), hungUp.body());
      assertTrue(hungUp.error().startsWith("leader unreachable at " + leader.address() + ": the leader closed"),
          hungUp.body());
      assertTrue(hungUp.error().contains("--leader-tls-ca"), "says what to fix: " + hungUp.body());

      Reply untrusted = untrusting.set("never", "stored");
      assertEquals(503, untrusted.status(), untrusted.body());
      assertTrue(untrusted.error().startsWith("leader unreachable at " + leader.address() + ": TLS handshake failed"),
          untrusted.body());
      assertTrue(untrusted.error().contains("--leader-tls-ca"), "says what to fix: " + untrusted.body());
    }
  }

  /** A TLS context that trusts exactly {@code cert}, as a client given the self-signed certificate. */
  static SSLContext trusting(Path cert) throws Exception {
    KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
    roots.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      roots.setCertificateEntry("gateway", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(roots);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
