package io.kvdb.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagFilesTest {
  @TempDir Path dir;

  private static Flags flags(String... args) {
    Flags flags = new Flags("t").declare("cert", "", "c").declare("key", "", "k");
    assertTrue(flags.parse(args));
    return flags;
  }

  private static String refusal(org.junit.jupiter.api.function.Executable action) {
    return assertThrows(IllegalArgumentException.class, action).getMessage();
  }

  @Test
  void aReadableFileIsTakenAndAnUnsetFlagIsEmpty() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertEquals(file, FlagFiles.readable("cert", file.toString()));
    assertEquals(Optional.of(file), FlagFiles.optional(flags("--cert", file.toString()), "cert"));
    assertEquals(Optional.empty(), FlagFiles.optional(flags(), "cert"));
  }

  @Test
  void aMissingFileOrADirectoryNamesTheFlagAndTheFile() {
    Path missing = dir.resolve("missing");
    assertEquals("--cert " + missing + ": no such file", refusal(() -> FlagFiles.readable("cert", missing.toString())));
    assertEquals("--cert " + dir + ": no such file", refusal(() -> FlagFiles.readable("cert", dir.toString())));
  }

  @Test
  void anUnreadableFileSaysSo() throws IOException {
    Path file = Files.writeString(dir.resolve("secret"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "running as root: every file is readable");
    assertEquals("--cert " + file + ": cannot be read (permissions?)",
        refusal(() -> FlagFiles.readable("cert", file.toString())));
  }

  @Test
  void loadPrefixesTheLoadersErrorWithTheFlag() throws IOException {
    Path file = Files.writeString(dir.resolve("f"), "x");
    Flags flags = flags("--cert", file.toString());
    assertEquals(Optional.of(1), FlagFiles.load(flags, "cert", Files::isRegularFile).map(ok -> 1));
    assertEquals("--cert: bad line 1", refusal(() -> FlagFiles.load(flags, "cert", f -> {
      throw new IllegalArgumentException("bad line 1");
    })));
  }

  @Test
  void partnersGoTogether() {
    FlagFiles.together(flags(), "cert", "key", "why");
    FlagFiles.together(flags("--cert", "a", "--key", "b"), "cert", "key", "why");
    assertEquals("--cert needs --key (a certificate is served with its key)",
        refusal(() -> FlagFiles.together(flags("--cert", "a"), "cert", "key", "a certificate is served with its key")));
    assertEquals("--key needs --cert (why)", refusal(() -> FlagFiles.together(flags("--key", "b"), "cert", "key", "why")));
  }
}
