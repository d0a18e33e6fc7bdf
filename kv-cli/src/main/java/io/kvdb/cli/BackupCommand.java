package io.kvdb.cli;

import io.kvdb.api.v1.DumpHeader;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.DumpShard;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.KvClient;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.common.dump.BackupFile;
import io.kvdb.common.dump.DumpException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code kv backup FILE}: the leader's Cluster.Backup stream (every shard from one LevelDB
 * snapshot) into a backup file ({@link BackupFile}: written under a temporary name beside FILE and
 * renamed onto it only when complete and synced); a progress line on stderr about every second.
 * FILE must not exist: a backup never replaces another. A failure (the leader gone mid-stream, a
 * stream cut short) is exit 1 with nothing written.
 */
final class BackupCommand {
  private static final long PROGRESS_EVERY_MS = 1000;

  /** The --json code of a FILE that exists already (exit 1). */
  static final String EXISTS = "ALREADY_EXISTS";
  /** The --json code of a backup that failed, leaving nothing written (exit 1). */
  static final String FAILED = "BACKUP_FAILED";

  private final KvClient leader;
  private final Output output;
  private final PrintStream err;
  private final LongSupplier clockMs;

  BackupCommand(KvClient leader, Output output, LongSupplier clockMs) {
    this.leader = leader;
    this.output = output;
    this.err = output.err();
    this.clockMs = clockMs;
  }

  int run(List<String> operands) {
    if (operands.size() != 1) {
      throw new KvCli.UsageException("backup FILE");
    }
    Path target = Path.of(operands.get(0)).toAbsolutePath();
    try {
      Summary summary = write(target);
      if (output.json()) {
        output.print(new JsonObject().put("file", target.toString()).put("leader_id", summary.header.getLeaderId())
            .put("epoch", summary.header.getEpoch()).put("shards", summary.header.getShardsCount())
            .put("keys", summary.keys).put("writes", summary.seqs).put("bytes", summary.bytes));
        return ExitCodes.OK;
      }
      output.out().printf("backup of leader %s (epoch %d): %d shards, %d keys, %d writes, %d bytes in %s%n",
          summary.header.getLeaderId(), summary.header.getEpoch(), summary.header.getShardsCount(), summary.keys,
          summary.seqs, summary.bytes, target);
      return ExitCodes.OK;
    } catch (FileAlreadyExistsException e) {
      return output.error(ExitCodes.FAILED, EXISTS, "backup refused: " + e.getMessage(),
          new JsonObject().put("file", target.toString()));
    } catch (IOException | DumpException e) {
      return output.error(ExitCodes.FAILED, FAILED, "backup failed: " + e.getMessage() + "; nothing was written to "
          + target, new JsonObject().put("file", target.toString()));
    }
  }

  private record Summary(DumpHeader header, long keys, long seqs, long bytes) {}

  private Summary write(Path target) throws IOException {
    try (BackupFile.Writer file = new BackupFile.Writer(target); Stream<DumpMessage> dump = leader.backup(0)) {
      Iterator<DumpMessage> messages = dump.iterator();
      DumpMessage first = messages.hasNext() ? messages.next() : DumpMessage.getDefaultInstance();
      if (!first.hasHeader()) {
        throw new DumpException("the leader's backup stream did not start with a header");
      }
      DumpHeader header = first.getHeader();
      file.write(first);
      long keys = 0;
      long shardsDone = 0;
      long lastProgress = clockMs.getAsLong();
      while (messages.hasNext()) {
        DumpMessage message = messages.next();
        if (!message.hasChunk()) {
          throw new DumpException("the leader's backup stream holds a " + message.getBodyCase() + " after its header");
        }
        file.write(message);
        keys += message.getChunk().getEntriesCount();
        shardsDone += message.getChunk().getLast() ? 1 : 0;
        long now = clockMs.getAsLong();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = now;
          err.printf("kv: backup: %d/%d shards, %d keys, %d bytes%n", shardsDone, header.getShardsCount(), keys,
              file.bytes());
        }
      }
      if (shardsDone != header.getShardsCount()) {
        throw new DumpException("the leader's backup stream ended after " + shardsDone + " of "
            + header.getShardsCount() + " shards");
      }
      file.end();
      long seqs = header.getShardsList().stream().mapToLong(DumpShard::getSeq).sum();
      return new Summary(header, keys, seqs, file.bytes());
    }
  }
}
