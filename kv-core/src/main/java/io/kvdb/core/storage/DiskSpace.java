package io.kvdb.core.storage;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps free space on a data dir's disk. LevelDB as leveldbjni ships it writes its files through
 * mmap: a write into a mapped page that finds the disk full is a SIGBUS, and the JVM dies on the
 * spot (no error, no shutdown hook). So a full disk must be noticed before LevelDB writes: the
 * leader refuses to start below the reserve, and refuses a write batch that would eat into it.
 * The reserve also leaves LevelDB room for the compactions of what is already written.
 */
public final class DiskSpace {
  private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);
  /** A write costs about this many times its bytes on disk: the log, then the table it is flushed to, then compactions. */
  private static final int WRITE_AMPLIFICATION = 3;

  private final Path dir;
  private final String role;
  private final long reserveBytes;
  private final LongSupplier usableBytes;
  private volatile boolean refusing;

  /**
   * Free space is refused when, after writing, less than {@code reserveBytes} would be left on
   * {@code dir}'s disk; {@code role} ("leader", "follower") names the process in messages.
   */
  public DiskSpace(Path dir, String role, long reserveBytes) {
    this(dir, role, reserveBytes, usableSpaceOf(fileStore(dir), dir));
  }

  /** As above, with the free space read from {@code usableBytes} (a fake disk in tests). */
  public DiskSpace(Path dir, String role, long reserveBytes, LongSupplier usableBytes) {
    this.dir = dir;
    this.role = role;
    this.reserveBytes = reserveBytes;
    this.usableBytes = usableBytes;
  }

  /** At startup: fails when the disk is already below the reserve. */
  public void checkAtStart() {
    long usable = usable();
    if (usable < reserveBytes) {
      throw new StorageException("the disk of data dir " + dir + " has " + mib(usable) + " free, less than the "
          + mib(reserveBytes) + " kept free (--min-free-disk); free some space, or use a bigger disk");
    }
  }

  /** Before a write of about {@code bytes}: throws {@link FullException} when it would eat into the reserve. */
  public void checkRoom(long bytes) {
    long usable = usable();
    if (usable - bytes * WRITE_AMPLIFICATION < reserveBytes) {
      if (!refusing) {
        refusing = true;
        log.warn("disk of {} almost full ({} free, {} kept free by --min-free-disk): refusing writes until space is"
            + " freed", dir, mib(usable), mib(reserveBytes));
      }
      throw new FullException("the " + role + "'s disk is almost full (" + mib(usable) + " free, "
          + mib(reserveBytes) + " kept free by --min-free-disk): writes are refused until space is freed");
    }
    if (refusing) {
      refusing = false;
      log.info("disk of {} has {} free again: accepting writes", dir, mib(usable));
    }
  }

  private long usable() {
    return usableBytes.getAsLong();
  }

  private static LongSupplier usableSpaceOf(FileStore store, Path dir) {
    return () -> {
      try {
        return store.getUsableSpace();
      } catch (IOException e) {
        throw new StorageException("cannot read the free space of " + dir + ": " + e, e);
      }
    };
  }

  /** The file store of {@code dir}, or of its nearest existing parent for a dir still to be made. */
  private static FileStore fileStore(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return Files.getFileStore(existing == null ? Path.of("/") : existing);
    } catch (IOException e) {
      throw new StorageException("cannot find the disk of data dir " + dir + ": " + e, e);
    }
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** A write refused because the disk is (almost) full; nothing of it was written. */
  public static final class FullException extends RuntimeException {
    FullException(String message) {
      super(message);
    }
  }
}
