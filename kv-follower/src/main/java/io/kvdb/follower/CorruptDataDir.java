package io.kvdb.follower;

import io.kvdb.core.storage.OldFormatException;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a follower does with a data dir LevelDB reports as corrupted (a damaged CURRENT, manifest,
 * log or table file): a copy that cannot be read is no copy, and the leader holds every key. The
 * dir is moved aside, never deleted (an operator may want it), and the follower starts empty: the
 * leader places shards on it again and it installs them by snapshot. The leader does not do this:
 * its data is the original, so it refuses to start instead. A data dir of an older format (version 1,
 * values without versions) is set aside the same way: it is a copy, re-synced in the current format.
 */
final class CorruptDataDir {
  private static final Logger log = LoggerFactory.getLogger(CorruptDataDir.class);
  /** How LevelDB's status messages name corruption (also in StorageException messages that wrap them). */
  private static final String LEVELDB_CORRUPTION = "Corruption:";

  private CorruptDataDir() {}

  /** True when LevelDB reported corruption anywhere in {@code error}'s causes. */
  static boolean isCorruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(LEVELDB_CORRUPTION)) {
        return true;
      }
    }
    return false;
  }

  /** Renames {@code dataDir} to a sibling {@code NAME.corrupt-TIMESTAMP} and returns it. */
  static Path setAside(Path dataDir, Throwable error) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path aside = dataDir.resolveSibling(dataDir.getFileName() + ".corrupt-" + stamp);
    try {
      Files.move(dataDir, aside);
    } catch (IOException e) {
      throw new StorageException("data dir " + dataDir + " is corrupted (" + error.getMessage() + ") and could not be"
          + " moved aside to " + aside + " (" + e + "); move or delete it, then start again", e);
    }
    log.error("{}: {} ({}). It was moved aside to {}; this follower starts empty and copies its shards from the"
        + " leader again", error instanceof OldFormatException ? "DATA DIR OF AN OLDER FORMAT" : "DATA DIR CORRUPTED",
        dataDir, error.getMessage(), aside);
    return aside;
  }
}
