package io.kvdb.core.dump;

import io.kvdb.common.dump.DumpException;
import io.kvdb.core.storage.KvStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A leader data dir made whole or not at all: it is written in a temporary dir beside the target
 * and renamed onto it only when complete, so a failed restore or rebuild leaves nothing behind.
 */
public final class DataDirs {
  private DataDirs() {}

  /** What fills a new leader data dir: its LevelDB store, open in the temporary dir. */
  @FunctionalInterface
  public interface Fill<T> {
    T into(KvStore store) throws IOException;
  }

  /**
   * Makes {@code target} (absent or empty) whole or not at all: {@code fill} writes a store in a
   * temporary dir beside it, which is renamed onto the target once the store is closed; on any
   * failure the temporary dir is deleted and the target is left as it was.
   */
  public static <T> T writeWhole(Path target, Fill<T> fill) throws IOException {
    checkEmpty(target);
    Path temporary = temporaryFor(target);
    boolean done = false;
    try {
      T result;
      try (KvStore store = KvStore.open(temporary, false)) {
        result = fill.into(store);
      }
      install(temporary, target);
      done = true;
      return result;
    } finally {
      if (!done) {
        deleteRecursively(temporary);
      }
    }
  }

  /** Refuses a target that exists and is not an empty directory. */
  public static void checkEmpty(Path target) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new DumpException(target + " exists and is not a directory");
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw new DumpException(target + " is not empty: pick an empty or new --data-dir");
      }
    }
  }

  /** A new temporary dir beside {@code target}, named after it. */
  private static Path temporaryFor(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    return Files.createDirectory(absolute.resolveSibling("." + absolute.getFileName() + ".partial-"
        + UUID.randomUUID().toString().substring(0, 8)));
  }

  /** Renames the complete {@code temporary} dir onto {@code target} (absent or empty). */
  private static void install(Path temporary, Path target) throws IOException {
    checkEmpty(target);
    Files.deleteIfExists(target);
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Deletes {@code dir} and everything in it; nothing when it is gone already. */
  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(file);
      }
    }
  }
}
