package io.kvdb.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Assumptions;

/**
 * Mounts made by a test to give a data dir disk trouble: a small tmpfs (a disk that fills up) and a
 * read-only bind mount. File permissions do not stop root, a read-only mount does. Everything
 * mounted is unmounted by {@link #close()}. Where mounting is not permitted the test is skipped,
 * saying why.
 */
final class Mounts implements AutoCloseable {
  private final Deque<Path> mounted = new ArrayDeque<>();

  /** A tmpfs of {@code size} (e.g. "24m") on {@code dir}, made if missing. */
  Path tmpfs(Path dir, String size) throws IOException {
    Files.createDirectories(dir);
    String why = Shell.run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    if (why != null) {
      Assumptions.abort("disk scenario skipped: cannot mount a tmpfs here (" + why.trim() + ")");
    }
    mounted.push(dir);
    return dir;
  }

  /** Grows (or shrinks) the tmpfs on {@code dir}: the disk gets space back without a restart. */
  void resize(Path dir, String size) {
    Shell.require("mount", "-o", "remount,size=" + size, dir.toString());
  }

  /** Makes {@code dir} read-only in place (a bind mount of itself, remounted read-only). */
  void readOnly(Path dir) {
    String why = Shell.run("mount", "--bind", dir.toString(), dir.toString());
    if (why != null) {
      Assumptions.abort("disk scenario skipped: cannot bind-mount here (" + why.trim() + ")");
    }
    mounted.push(dir);
    Shell.require("mount", "-o", "remount,bind,ro", dir.toString());
  }

  /** Undoes the last mount on {@code dir}. */
  void unmount(Path dir) {
    Shell.require("umount", dir.toString());
    mounted.remove(dir);
  }

  @Override
  public void close() {
    while (!mounted.isEmpty()) {
      Path dir = mounted.pop();
      if (Shell.run("umount", dir.toString()) != null) {
        Shell.run("umount", "-l", dir.toString()); // still busy: detach it now, the kernel frees it when unused
      }
    }
  }
}
