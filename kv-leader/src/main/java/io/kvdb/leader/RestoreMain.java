package io.kvdb.leader;

import io.kvdb.api.v1.DumpShard;
import io.kvdb.common.dump.DumpException;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.dump.LeaderDirWriter;
import io.kvdb.core.dump.Restore;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kv restore FILE --data-dir DIR}: makes a leader data dir from a backup file, offline (no
 * server is called). DIR must be absent or empty; the dir is written beside it under a temporary
 * name and renamed when the whole file checked out, so a refused file leaves nothing behind. Exit
 * codes: 0 restored, 1 refused (a corrupted or truncated file, a non-empty DIR), 2 bad arguments.
 */
public final class RestoreMain {
  static final String USAGE = "usage: kv restore FILE --data-dir DIR";

  private RestoreMain() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.out, System.err));
  }

  /** Runs a restore with {@code args} (FILE --data-dir DIR); returns the exit code. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() != 3 || !args.get(1).equals("--data-dir")) {
      err.println(USAGE);
      return ExitCodes.BAD_INPUT;
    }
    Path file = Path.of(args.get(0));
    Path dataDir = Path.of(args.get(2));
    try {
      LeaderDirWriter.Result result = Restore.restore(file, dataDir);
      long keys = result.shards().values().stream().mapToLong(DumpShard::getKeys).sum();
      long seqs = result.shards().values().stream().mapToLong(DumpShard::getSeq).sum();
      out.printf("restored leader %s: %d shards, %d keys, %d writes into %s; start it with: kv leader --data-dir %s%n",
          result.leaderId(), result.shardCount(), keys, seqs, dataDir, dataDir);
      return ExitCodes.OK;
    } catch (DumpException | StorageException | IOException e) {
      err.println("kv restore: refused: " + e.getMessage() + "; nothing was written to " + dataDir);
      return ExitCodes.FAILED;
    }
  }
}
