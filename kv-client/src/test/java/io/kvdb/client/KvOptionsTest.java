package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options and TLS trust are checked when made, with messages that name what is wrong. */
class KvOptionsTest {
  @TempDir Path dir;

  @Test
  void defaultsAndWithersMakeNewOptions() {
    KvOptions options = KvOptions.DEFAULT;
    assertEquals(Duration.ofSeconds(10), options.deadline());
    assertEquals(0, options.minAcks());
    assertEquals(Optional.empty(), options.token());
    assertEquals(TlsTrust.PLAINTEXT, options.tls());
    assertEquals(3, options.readAttempts());

    KvOptions changed = options.withDeadline(Duration.ofSeconds(2)).withAcks(1, Duration.ofMillis(500))
        .withToken("a-token-0123456789").withReadRetries(5, Duration.ofMillis(10));
    assertEquals(Duration.ofSeconds(2), changed.deadline());
    assertEquals(Duration.ofMillis(2500), changed.writeDeadline());
    assertEquals(Optional.of("a-token-0123456789"), changed.token());
    assertEquals(5, changed.readAttempts());
    assertEquals(Duration.ofSeconds(10), KvOptions.DEFAULT.deadline(), "DEFAULT is unchanged");
    assertEquals(Optional.empty(), changed.withoutToken().token());
  }

  @Test
  void badValuesAreRefusedWithTheirName() {
    assertMessage("deadline must be at least 1 ms", () -> KvOptions.DEFAULT.withDeadline(Duration.ZERO));
    assertMessage("minAcks must be >= 0", () -> KvOptions.DEFAULT.withAcks(-1, Duration.ZERO));
    assertMessage("ackTimeout must be 0 to 4294967295 ms",
        () -> KvOptions.DEFAULT.withAcks(1, Duration.ofMillis(1L << 32)));
    assertMessage("readAttempts must be 1 to 10", () -> KvOptions.DEFAULT.withReadRetries(0, Duration.ZERO));
    assertMessage("the token is empty", () -> KvOptions.DEFAULT.withToken(""));
    IllegalArgumentException spaces = assertThrows(IllegalArgumentException.class,
        () -> KvOptions.DEFAULT.withToken("two words-0123456789"));
    assertFalse(spaces.getMessage().contains("two words"), "the message never shows the token");
  }

  @Test
  void theTokenNeverShowsInToString() {
    String shown = KvOptions.DEFAULT.withToken("secret-token-0123456789").toString();
    assertFalse(shown.contains("secret-token"), shown);
    assertTrue(shown.contains("token=(set)"), shown);
  }

  @Test
  void aCaFileIsReadWhenGiven() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertMessage(missing + ": no such file", () -> TlsTrust.caFile(missing));
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
    assertMessage(notPem + " is not a PEM certificate file", () -> TlsTrust.caFile(notPem));

    Path cert = TestCertificates.selfSigned(dir, "localhost").cert();
    TlsTrust trust = TlsTrust.caFile(cert);
    assertTrue(trust.enabled());
    assertEquals(Optional.of(cert), trust.caFile());
    assertEquals(trust, TlsTrust.caFile(cert));
    assertTrue(TlsTrust.systemRoots().enabled());
    assertFalse(TlsTrust.PLAINTEXT.enabled());
  }

  private static void assertMessage(String start, Runnable making) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, making::run);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}
