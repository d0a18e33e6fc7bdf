package io.kvdb.core.security;

import io.kvdb.common.config.Flags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/** Flags that name a file: checked at startup so that a typo fails at once, naming flag and file. */
final class FlagFiles {
  private FlagFiles() {}

  /**
   * The file named by flag {@code name}, or empty when the flag is not set.
   *
   * @throws IllegalArgumentException when the file is missing or unreadable
   */
  static Optional<Path> optional(Flags flags, String name) {
    String value = flags.string(name);
    if (value.isBlank()) {
      return Optional.empty();
    }
    Path file = Path.of(value);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--" + name + " " + file + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--" + name + " " + file + ": cannot be read (permissions?)");
    }
    return Optional.of(file);
  }

  /** Loads the file of flag {@code name} with {@code loader}, prefixing its errors with the flag. */
  static <T> Optional<T> load(Flags flags, String name, Function<Path, T> loader) {
    return optional(flags, name).map(file -> {
      try {
        return loader.apply(file);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
      }
    });
  }

  /** Both flags or neither: {@code a} and {@code b} only make sense together. */
  static void together(Flags flags, String a, String b, String why) {
    boolean hasA = !flags.string(a).isBlank();
    boolean hasB = !flags.string(b).isBlank();
    if (hasA != hasB) {
      throw new IllegalArgumentException("--" + (hasA ? a : b) + " needs --" + (hasA ? b : a) + " (" + why + ")");
    }
  }
}
