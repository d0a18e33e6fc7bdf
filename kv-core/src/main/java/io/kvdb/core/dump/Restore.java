package io.kvdb.core.dump;

import io.kvdb.common.dump.BackupFile;
import io.kvdb.common.dump.DumpException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code kv restore}: makes a leader data dir from a backup file. Every frame is checked as it is
 * written, in a temporary dir that is renamed onto the target only once the whole file has been
 * read; on any failure the temporary dir is deleted and the target is left as it was.
 */
public final class Restore {
  private Restore() {}

  /**
   * Restores {@code backup} into {@code dataDir}, which must be absent or empty.
   *
   * @throws DumpException when the file is corrupted or truncated (saying where) or the dir is not empty
   */
  public static LeaderDirWriter.Result restore(Path backup, Path dataDir) throws IOException {
    return DataDirs.writeWhole(dataDir, store -> {
      LeaderDirWriter writer = new LeaderDirWriter(store);
      BackupFile.read(backup, writer::accept);
      return writer.finish(0, false);
    });
  }
}
