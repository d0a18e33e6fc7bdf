package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.kvdb.common.config.Flags;
import io.kvdb.testing.TestCertificates;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client flags as every program that dials kvdb servers reads them, and what they make. */
class ClientFlagsTest {
  private static final String TOKEN = "a-token-0123456789";

  @TempDir Path dir;

  private static ClientFlags read(Map<String, String> env, String... args) {
    Flags flags = ClientFlags.declare(new Flags("test"), "the servers");
    assertTrue(flags.parse(args));
    return ClientFlags.read(flags, env);
  }

  @Test
  void noFlagsArePlaintextWithoutAToken() {
    ClientFlags none = read(Map.of());
    assertEquals(ClientFlags.NONE, none);
    KvOptions options = none.applyTo(KvOptions.DEFAULT.withToken(TOKEN));
    assertEquals(TlsTrust.PLAINTEXT, options.tls());
    assertEquals(Optional.empty(), options.token(), "the flags say: no token");
  }

  @Test
  void theTokenComesFromTheFlagElseTheEnvironment() {
    assertEquals(Optional.of("from-env-0123456789"), read(Map.of("KV_TOKEN", "from-env-0123456789")).token());
    assertEquals(Optional.of(TOKEN), read(Map.of("KV_TOKEN", "from-env-0123456789"), "--token", TOKEN).token());
    assertEquals(Optional.empty(), read(Map.of("KV_TOKEN", "")).token(), "an empty KV_TOKEN is none");
    assertEquals("--token is empty", assertThrows(IllegalArgumentException.class,
        () -> read(Map.of(), "--token=")).getMessage());
    assertEquals("KV_TOKEN must be visible ASCII characters without spaces", assertThrows(
        IllegalArgumentException.class, () -> read(Map.of("KV_TOKEN", "two words"))).getMessage());
    assertEquals(Optional.of(TOKEN), read(Map.of(), "--token", TOKEN).applyTo(KvOptions.DEFAULT).token());
  }

  @Test
  void aCaFileIsReadWhenAppliedAndAWrongOneNamesTheFlag() throws Exception {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "server");
    KvOptions options = read(Map.of(), "--tls-ca", pem.cert().toString()).applyTo(KvOptions.DEFAULT);
    assertEquals(TlsTrust.caFile(pem.cert()), options.tls());
    assertEquals(TlsTrust.systemRoots(), read(Map.of(), "--tls").trust());

    ClientFlags missing = read(Map.of(), "--tls-ca", dir.resolve("nope.pem").toString());
    String message = assertThrows(IllegalArgumentException.class, missing::trust).getMessage();
    assertTrue(message.startsWith("--tls-ca ") && message.contains("nope.pem"), message);
  }

  @Test
  void theTokenNeverShowsInText() {
    String text = read(Map.of(), "--token", TOKEN, "--tls").toString();
    assertFalse(text.contains(TOKEN), text);
    assertTrue(text.contains("token=(set)") && text.contains("system's roots"), text);
  }

  @Test
  void refusedCredentialsAreTheTokenAndTheTlsHandshakeNotAServerThatIsDown() {
    KvOptions plaintext = KvOptions.DEFAULT;
    KvOptions tls = KvOptions.DEFAULT.withTls(TlsTrust.systemRoots());
    assertTrue(ClientFlags.refusedCredentials(Status.UNAUTHENTICATED, plaintext));
    assertTrue(ClientFlags.refusedCredentials(Status.PERMISSION_DENIED, plaintext));
    Status handshake = Status.UNAVAILABLE.withCause(new SSLHandshakeException("PKIX path building failed"));
    assertTrue(ClientFlags.refusedCredentials(handshake, tls));
    Status down = Status.UNAVAILABLE.withCause(new ConnectException("Connection refused"));
    assertFalse(ClientFlags.refusedCredentials(down, tls));
    assertFalse(ClientFlags.refusedCredentials(down, plaintext));
    assertFalse(ClientFlags.refusedCredentials(Status.DEADLINE_EXCEEDED, tls));

    assertEquals("UNAVAILABLE: PKIX path building failed", ClientFlags.describe(handshake));
    assertTrue(ClientFlags.hint(handshake, tls).contains("--tls-ca must hold the server's certificate or its CA"));
    assertTrue(ClientFlags.hint(Status.UNAUTHENTICATED, plaintext).contains("pass --token TOKEN or set KV_TOKEN"));
    assertEquals("", ClientFlags.hint(down, plaintext), "a refused connection is no TLS matter");
  }
}
