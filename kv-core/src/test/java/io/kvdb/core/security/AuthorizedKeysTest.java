package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader's authorized keys file: {@code ID KEY} lines, and keys listed alone as before. */
class AuthorizedKeysTest {
  private final CurveKeyPair f1 = CurveKeyPair.generate();
  private final CurveKeyPair f2 = CurveKeyPair.generate();
  private final CurveKeyPair old = CurveKeyPair.generate();
  @TempDir Path dir;

  @Test
  void anIdKeyLineBindsTheKeyToThatFollowerAndAKeyAloneToNone() throws Exception {
    Path file = Files.writeString(dir.resolve("authorized"), "# followers\n"
        + "f1 " + f1.publicKey() + "\n"
        + "f2   " + f2.publicKey() + "  # the second one\n"
        + "f2-spare " + f2.publicKey() + "\n"
        + old.publicKey() + " old-pub-file-name\n");
    AuthorizedKeys keys = AuthorizedKeys.load(file);
    assertEquals(3, keys.size());
    assertNull(keys.refusal(f1.publicKey(), "f1"));
    String refusal = keys.refusal(f1.publicKey(), "f2");
    assertTrue(refusal != null && refusal.contains("[f1]") && refusal.contains("not for 'f2'"), refusal);
    assertNull(keys.refusal(f2.publicKey(), "f2"));
    assertNull(keys.refusal(f2.publicKey(), "f2-spare"), "a key may be listed under more than one id");
    assertNull(keys.refusal(old.publicKey(), "anyone"), "a key without an id keeps today's meaning");
    String unknown = keys.refusal(CurveKeyPair.generate().publicKey(), "f1");
    assertTrue(unknown.contains("is not in --curve-authorized-keys"), unknown);
    assertTrue(keys.refusal(null, "f1").contains("not in"), "no key at all is refused");
    assertTrue(keys.allows(f1.publicKeyBytes()));
  }

  @Test
  void keygenPubFilesConcatenatedMakeAnAuthorizedKeysFile() throws Exception {
    f1.write(dir.resolve("f1.key"), dir.resolve("f1.pub"), "f1");
    f2.write(dir.resolve("f2.key"), dir.resolve("f2.pub"), "f2");
    Path file = Files.writeString(dir.resolve("authorized"),
        Files.readString(dir.resolve("f1.pub")) + Files.readString(dir.resolve("f2.pub")));
    AuthorizedKeys keys = AuthorizedKeys.load(file);
    assertNull(keys.refusal(f1.publicKey(), "f1"));
    assertTrue(keys.refusal(f1.publicKey(), "f2") != null, "f1's key is bound to f1");
  }

  @Test
  void malformedLinesAreRefusedNamingTheLine() throws Exception {
    assertMessage(Files.writeString(dir.resolve("a"), "f1 " + f1.publicKey() + " trailing words\n"),
        "line 1: expected 'ID KEY', then nothing or a # comment");
    assertMessage(Files.writeString(dir.resolve("b"), "#\nbad/id " + f1.publicKey() + "\n"),
        "line 2: 'bad/id' is not a follower id");
    assertMessage(Files.writeString(dir.resolve("c"), "f1 not-a-key\n"), "line 1: a CURVE key is 40 Z85 characters");
    assertMessage(Files.writeString(dir.resolve("d"), "secret-key " + f1.secretKey() + "\n"), "looks like a key file");
  }

  @Test
  void aChangedFileIsReadAgainOnceTheRecheckIntervalPassed() throws Exception {
    Path file = Files.writeString(dir.resolve("authorized"), "f1 " + f1.publicKey() + "\n");
    AtomicLong clock = new AtomicLong(1_000_000);
    AuthorizedKeys keys = AuthorizedKeys.load(file, clock::get);
    Files.writeString(file, "f1 " + f1.publicKey() + "\nf2 " + f2.publicKey() + "\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    clock.addAndGet(999);
    assertFalse(keys.allows(f2.publicKeyBytes()), "checked again only after a second");
    clock.addAndGet(1);
    assertTrue(keys.allows(f2.publicKeyBytes()), "the added key is accepted");
    assertNull(keys.refusal(f2.publicKey(), "f2"));
  }

  private static void assertMessage(Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthorizedKeys.load(file));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
