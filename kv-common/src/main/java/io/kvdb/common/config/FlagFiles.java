package io.kvdb.common.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Flags that name a file, checked while the flags are read so that a typo fails at once (exit 2)
 * with the flag and the file in the message, instead of at the first handshake or call.
 */
public final class FlagFiles {
  private FlagFiles() {}

  /**
   * {@code value} of flag {@code --flag} as a path to a regular, readable file.
   *
   * @throws IllegalArgumentException naming the flag and the file when it is missing or unreadable
   */
  public static Path readable(String flag, String value) {
    Path file = Path.of(value);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": no such file");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--" + flag + " " + file + ": cannot be read (permissions?)");
    }
    return file;
  }

  /**
   * The file named by flag {@code name}, or empty when the flag is not set.
   *
   * @throws IllegalArgumentException when the file is missing or unreadable
   */
  public static Optional<Path> optional(Flags flags, String name) {
    String value = flags.string(name);
    return value.isBlank() ? Optional.empty() : Optional.of(readable(name, value));
  }

  /** Loads the file of flag {@code name} with {@code loader}, prefixing its errors with the flag. */
  public static <T> Optional<T> load(Flags flags, String name, Function<Path, T> loader) {
    return optional(flags, name).map(file -> {
      try {
        return loader.apply(file);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * Both flags or neither: {@code a} and {@code b} only make sense together.
   *
   * @throws IllegalArgumentException naming the flag that lacks its partner, and {@code why}
   */
  public static void together(Flags flags, String a, String b, String why) {
    boolean hasA = !flags.string(a).isBlank();
    boolean hasB = !flags.string(b).isBlank();
    if (hasA != hasB) {
      throw new IllegalArgumentException("--" + (hasA ? a : b) + " needs --" + (hasA ? b : a) + " (" + why + ")");
    }
  }
}
