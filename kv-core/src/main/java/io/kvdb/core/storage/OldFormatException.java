package io.kvdb.core.storage;

import java.nio.file.Path;

/**
 * A data dir of format version 1 (values without versions). A leader migrates it at start
 * ({@link FormatMigration}); a follower sets it aside and copies its shards from the leader again.
 */
public final class OldFormatException extends StorageException {
  public OldFormatException(Path dir, int version) {
    super("data dir " + dir + " has format version " + version + " (values without versions); this build reads"
        + " version " + Layout.FORMAT_VERSION + ". A leader migrates it when it starts; a follower's copy is set"
        + " aside and synced again from the leader");
  }
}
