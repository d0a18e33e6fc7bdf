package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.security.BearerTokens.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {
  private static final String READER = "r3ad-0nly-t0ken-abcdef";
  private static final String WRITER = "wr1te-t0ken-0123456789";

  @TempDir Path dir;

  @Test
  void tokenFileGivesEachTokenItsRole() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "# dashboards\nread " + READER + "\n\n  WRITE   " + WRITER + "  \n");
    BearerTokens tokens = BearerTokens.load(file);
    assertEquals(Optional.of(Role.READ), tokens.roleOf(READER));
    assertEquals(Optional.of(Role.WRITE), tokens.roleOf(WRITER));
    assertEquals(1, tokens.count(Role.READ));
    assertEquals(1, tokens.count(Role.WRITE));
  }

  @Test
  void nearMissesAreUnknown() {
    BearerTokens tokens = BearerTokens.of(Map.of(WRITER, Role.WRITE));
    assertEquals(Optional.empty(), tokens.roleOf(""));
    assertEquals(Optional.empty(), tokens.roleOf(WRITER.substring(0, WRITER.length() - 1)));
    assertEquals(Optional.empty(), tokens.roleOf(WRITER + "x"));
    assertEquals(Optional.empty(), tokens.roleOf(WRITER.toUpperCase()));
  }

  @Test
  void writeAllowsEverythingReadOnlyReads() {
    assertTrue(Role.WRITE.allows(Role.WRITE));
    assertTrue(Role.WRITE.allows(Role.READ));
    assertTrue(Role.READ.allows(Role.READ));
    assertFalse(Role.READ.allows(Role.WRITE));
  }

  @Test
  void badFilesNameTheLineAndNeverShowATokenValue() throws Exception {
    assertLoadFails("admin " + WRITER + "\n", "line 1: unknown role 'admin'");
    assertLoadFails("read\n", "line 1: expected 'ROLE TOKEN'");
    assertLoadFails("read short\n", "line 1: a token must have 16");
    assertLoadFails("read " + READER + "\nwrite " + READER + "\n", "line 2: the same token is on line 1");
    assertLoadFails("# nothing yet\n", "holds no token");
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> BearerTokens.load(dir.resolve("absent")));
    assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
  }

  private void assertLoadFails(String content, String expected) throws Exception {
    Path file = Files.writeString(dir.resolve("bad"), content);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BearerTokens.load(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    assertFalse(e.getMessage().contains(READER) || e.getMessage().contains(WRITER), "leaks a token: " + e.getMessage());
  }

  @Test
  void toStringShowsCountsOnly() {
    String shown = BearerTokens.of(Map.of(READER, Role.READ)).toString();
    assertFalse(shown.contains(READER), shown);
  }
}
