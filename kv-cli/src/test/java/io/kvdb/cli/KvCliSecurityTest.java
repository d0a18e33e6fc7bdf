package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.core.security.ServerTls;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import io.kvdb.testing.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kv command against a real leader and follower in this JVM whose gRPC ports speak TLS only and
 * want bearer tokens. Both serve one self-signed certificate for this host (made by keytool at test
 * time), which is the file the client trusts; {@code verify} must dial the follower with it too.
 */
@Timeout(120)
class KvCliSecurityTest {
  static final String READER = "cli-reader-token-0123456789";
  static final String WRITER = "cli-writer-token-0123456789";

  @TempDir static Path dir;
  static LeaderServer leader;
  static FollowerServer follower;
  /** The servers' certificate: the client's --tls-ca. */
  static Path trust;


  @BeforeAll
  static void start() throws Exception {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "localhost");
    trust = pem.cert();
    BearerTokens tokens = BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE));

    GrpcSecurity leaderSecurity = new GrpcSecurity(Optional.of(ServerTls.load(pem.cert(), pem.key())),
        Optional.of(tokens));
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")).withSecurity(leaderSecurity, Optional.empty()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), leaderSecurity.credentials()));
    leader.start();
    GrpcSecurity followerSecurity = new GrpcSecurity(
        Optional.of(ServerTls.load(pem.cert(), pem.key())), Optional.of(tokens));
    follower = new FollowerServer(FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort())
        .withSecurity(followerSecurity, Optional.empty()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), followerSecurity.credentials()));
    follower.start();
  }

  @AfterAll
  static void stop() {
    follower.stop();
    leader.stop();
  }

  @Test
  void aWriteTokenOverTlsPutsAndAReadTokenFromKvTokenGets() {
    Result put = kv(Map.of(), "--tls-ca", trust.toString(), "--token", WRITER, "put", "secure/k", "over tls");
    assertEquals(0, put.code(), put.err());
    assertTrue(put.out().startsWith("OK shard="), put.out());

    Result get = kv(Map.of("KV_TOKEN", READER), "get", "secure/k", "--tls-ca=" + trust);
    assertEquals(0, get.code(), get.err());
    assertEquals("over tls\n", get.out());
    assertEquals("secure/k\tover tls\n", kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "list",
        "--prefix", "secure/").out());
    assertTrue(kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "status").out().contains("f1"));
    Result overridden = kv(Map.of("KV_TOKEN", "not-the-token-0123456789"), "--tls-ca", trust.toString(),
        "--token", READER, "get", "secure/k");
    assertEquals(0, overridden.code(), "--token wins over KV_TOKEN: " + overridden.err());
  }

  @Test
  void refusedCallsExit3WithAHintAndChangeNothing() {
    assertEquals(0, kv(Map.of("KV_TOKEN", WRITER), "--tls-ca", trust.toString(), "put", "kept", "original").code());

    Result anonymous = kv(Map.of(), "--tls-ca", trust.toString(), "put", "kept", "changed");
    assertEquals(3, anonymous.code());
    assertTrue(anonymous.err().contains("UNAUTHENTICATED: missing bearer token"), anonymous.err());
    assertTrue(anonymous.err().contains("pass --token TOKEN or set KV_TOKEN"), anonymous.err());
    Result anonymousJson = kv(Map.of(), "--tls-ca", trust.toString(), "--json", "put", "kept", "changed");
    assertEquals(3, anonymousJson.code());
    assertTrue(anonymousJson.out().startsWith("{\"error\": \"missing bearer token: ")
        && anonymousJson.out().endsWith(" (this server wants a token: pass --token TOKEN or set KV_TOKEN)\","
        + " \"code\": \"UNAUTHENTICATED\"}\n"), "the hint is in the error: " + anonymousJson.out());

    Result wrong = kv(Map.of(), "--tls-ca", trust.toString(), "--token", "not-the-token-0123456789", "delete", "kept");
    assertEquals(3, wrong.code());
    assertTrue(wrong.err().contains("UNAUTHENTICATED: invalid bearer token"), wrong.err());

    Result reader = kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "put", "kept", "changed");
    assertEquals(3, reader.code());
    assertTrue(reader.err().contains("PERMISSION_DENIED: this token is read-only"), reader.err());
    Result readerDrains = kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "drain", "f1");
    assertEquals(3, readerDrains.code(), "a drain needs a write token, as writes do: " + readerDrains.err());
    assertTrue(readerDrains.err().contains("kv.v1.Cluster/Drain needs a write token"), readerDrains.err());

    assertEquals("original\n", kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "get", "kept").out());
  }

  @Test
  void verifyDialsTheFollowerWithTheSameTrustAndToken() throws Exception {
    Result put = kv(Map.of("KV_TOKEN", WRITER), "--tls-ca", trust.toString(), "put", "replicated", "yes", "--wait", "1");
    assertEquals(0, put.code(), put.err());

    long deadline = System.nanoTime() + 30_000_000_000L;
    Result verify = kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "verify");
    while (!verify.out().contains("0 lagging") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      verify = kv(Map.of("KV_TOKEN", READER), "--tls-ca", trust.toString(), "verify");
    }

    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains("8 shard copies match the leader, 0 lagging (retry), 0 differ, 0 ahead of the"
        + " leader, 0 follower(s) unreachable"), verify.out() + verify.err());
  }

  @Test
  void aTlsServerDialledInPlaintextOrUntrustedIsUnavailableWithAHint() {
    Result plaintext = kv(Map.of("KV_TOKEN", READER), "get", "k");
    assertEquals(3, plaintext.code());
    assertTrue(plaintext.err().startsWith("kv: UNAVAILABLE"), plaintext.err());
    assertTrue(plaintext.err().contains("pass --tls-ca FILE or --tls"), plaintext.err());

    // The JVM's trust store does not hold a certificate made a moment ago by keytool.
    Result systemRoots = kv(Map.of("KV_TOKEN", READER), "--tls", "get", "k");
    assertEquals(3, systemRoots.code());
    assertTrue(systemRoots.err().startsWith("kv: UNAVAILABLE"), systemRoots.err());
    assertTrue(systemRoots.err().contains("--tls-ca must hold the server's certificate"), systemRoots.err());

    Result nobody = kv(Map.of(), "--leader", "127.0.0.1:1", "get", "k");
    assertEquals(3, nobody.code());
    assertTrue(nobody.err().contains("Connection refused") && !nobody.err().contains("--tls"),
        "a refused connection is no TLS matter: " + nobody.err());
  }

  @Test
  void badTlsAndTokenFlagsAreUsageErrorsNamingTheFile() throws Exception {
    Path missing = dir.resolve("missing.pem");
    Result noFile = kv(Map.of(), "--tls-ca", missing.toString(), "get", "k");
    assertEquals(2, noFile.code());
    assertEquals("kv: --tls-ca " + missing + ": no such file\n", noFile.err());
    Result noFileJson = kv(Map.of(), "--json", "--tls-ca", missing.toString(), "get", "k");
    assertEquals(2, noFileJson.code());
    assertEquals("{\"error\": \"--tls-ca " + missing + ": no such file\", \"code\": \"USAGE\"}\n", noFileJson.out());

    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
    Result wrongFile = kv(Map.of(), "--tls-ca", notPem.toString(), "get", "k");
    assertEquals(2, wrongFile.code());
    assertTrue(wrongFile.err().startsWith("kv: --tls-ca " + notPem + " is not a PEM certificate file"), wrongFile.err());

    assertEquals(2, kv(Map.of(), "get", "k", "--token").code());
    assertEquals("kv: --token is empty\n", kv(Map.of(), "--token", "", "get", "k").err());
    assertEquals("kv: KV_TOKEN must be visible ASCII characters without spaces\n",
        kv(Map.of("KV_TOKEN", "two words"), "get", "k").err());
  }

  private static Result kv(Map<String, String> env, String... args) {
    return CliRun.run(env, CliRun.withLeader("127.0.0.1:" + leader.grpcPort(), args));
  }
}
