package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.common.config.Flags;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files as keygen writes them, and the flags that read them. */
class CurveKeysTest {
  @TempDir Path dir;

  @Test
  void aWrittenKeyPairReadsBackAndItsKeyFileIsPrivate() throws Exception {
    CurveKeyPair keys = CurveKeyPair.generate();
    keys.write(dir.resolve("f1.key"), dir.resolve("f1.pub"), "f1");
    assertEquals(keys, CurveKeyPair.read(dir.resolve("f1.key")));
    assertEquals("f1 " + keys.publicKey() + "\n", Files.readString(dir.resolve("f1.pub")));
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(dir.resolve("f1.key")));
    assertFalse(keys.toString().contains(keys.secretKey()), keys.toString());
    assertThrows(FileAlreadyExistsException.class,
        () -> CurveKeyPair.generate().write(dir.resolve("f1.key"), dir.resolve("other.pub"), "f1"));
  }

  @Test
  void mismatchedOrMalformedKeysAreRefused() throws Exception {
    CurveKeyPair a = CurveKeyPair.generate();
    CurveKeyPair b = CurveKeyPair.generate();
    Path mixed = Files.writeString(dir.resolve("mixed.key"),
        "public-key " + a.publicKey() + "\nsecret-key " + b.secretKey() + "\n");
    assertMessage(() -> CurveKeyPair.read(mixed), "does not belong to the secret key");
    Path pub = Files.writeString(dir.resolve("a.pub"), a.publicKey() + " a\n");
    assertMessage(() -> CurveKeyPair.read(pub), "is this a .pub file?");
    assertMessage(() -> CurveKeys.decode("~".repeat(40), "k"), "not a Z85 character");
    assertMessage(() -> CurveKeys.decode("abc", "k"), "40 Z85 characters");
    assertTrue(CurveKeys.isKey(a.publicKey()));
  }

  @Test
  void authorizedKeysTakeNamesAndCommentsButNeverSecretKeys() throws Exception {
    CurveKeyPair f1 = CurveKeyPair.generate();
    CurveKeyPair f2 = CurveKeyPair.generate();
    Path file = Files.writeString(dir.resolve("authorized"), "# followers\n" + f1.publicKey() + " f1\n\n"
        + f2.publicKey() + "\n");
    AuthorizedKeys keys = AuthorizedKeys.load(file);
    assertEquals(2, keys.size());
    assertTrue(keys.allows(f1.publicKeyBytes()));
    assertFalse(keys.allows(CurveKeyPair.generate().publicKeyBytes()));
    Path secret = Files.writeString(dir.resolve("oops"), "public-key " + f1.publicKey() + "\n");
    assertMessage(() -> AuthorizedKeys.load(secret), "looks like a key file");
    Path empty = Files.writeString(dir.resolve("empty"), "# nobody\n");
    assertMessage(() -> AuthorizedKeys.load(empty), "holds no key");
  }

  @Test
  void followerFlagsTakeTheLeaderKeyAsTextOrPubFile() throws Exception {
    CurveKeyPair leader = CurveKeyPair.generate();
    CurveKeyPair follower = CurveKeyPair.generate();
    leader.write(dir.resolve("leader.key"), dir.resolve("leader.pub"), "leader");
    follower.write(dir.resolve("f1.key"), dir.resolve("f1.pub"), "f1");
    String keyFile = dir.resolve("f1.key").toString();
    assertEquals(leader.publicKey(), client("--curve-key-file", keyFile, "--leader-curve-public-key",
        leader.publicKey()).leaderPublicKey());
    assertEquals(leader.publicKey(), client("--curve-key-file", keyFile, "--leader-curve-public-key",
        dir.resolve("leader.pub").toString()).leaderPublicKey());
    assertMessage(() -> client("--curve-key-file", keyFile, "--leader-curve-public-key",
        dir.resolve("leader.key").toString()), "keep its key file on the leader only");
    assertMessage(() -> client("--curve-key-file", keyFile), "--curve-key-file needs --leader-curve-public-key");
    assertMessage(() -> client("--curve-key-file", dir.resolve("none.key").toString(), "--leader-curve-public-key",
        leader.publicKey()), "--curve-key-file " + dir.resolve("none.key") + ": no such file");
  }

  @Test
  void aPubFileWhosePathLooksLikeAKeyIsReadAsAFile() throws Exception {
    CurveKeyPair leader = CurveKeyPair.generate();
    CurveKeyPair follower = CurveKeyPair.generate();
    follower.write(dir.resolve("f1.key"), dir.resolve("f1.pub"), "f1");
    // 40 characters, all of them in the Z85 alphabet, as a temp dir's path can happen to be.
    int room = 40 - dir.toString().length() - 1;
    Assumptions.assumeTrue(room > 0, "temp dir path too long for this case: " + dir);
    String name = "k".repeat(room);
    Assumptions.assumeTrue(CurveKeys.isKey(dir.resolve(name).toString()), "temp dir path outside Z85: " + dir);
    leader.write(dir.resolve("leader.key"), dir.resolve(name), "leader");

    assertEquals(leader.publicKey(), client("--curve-key-file", dir.resolve("f1.key").toString(),
        "--leader-curve-public-key", dir.resolve(name).toString()).leaderPublicKey());
  }

  @Test
  void leaderFlagsNeedBothFiles() throws Exception {
    CurveKeyPair leader = CurveKeyPair.generate();
    leader.write(dir.resolve("leader.key"), dir.resolve("leader.pub"), "leader");
    Flags flags = CurveServer.declareFlags(new Flags("test"));
    flags.parse(new String[] {"--curve-secret-key-file", dir.resolve("leader.key").toString()});
    assertMessage(() -> CurveServer.fromFlags(flags), "--curve-secret-key-file needs --curve-authorized-keys");
    Flags none = CurveServer.declareFlags(new Flags("test"));
    none.parse(new String[0]);
    assertTrue(CurveServer.fromFlags(none).isEmpty());
  }

  private static CurveClient client(String... args) {
    Flags flags = CurveClient.declareFlags(new Flags("test"));
    flags.parse(args);
    return CurveClient.fromFlags(flags).orElseThrow();
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable action, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
