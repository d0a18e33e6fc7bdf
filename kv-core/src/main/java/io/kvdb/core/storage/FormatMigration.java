package io.kvdb.core.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a leader's data dir, migrating one of format version 1 (values without versions) to the
 * current format first, as one synced WriteBatch: every key gets a fresh revision as its version
 * (no expiry), each shard's digest is recomputed (it covers versions now; seq and key count stay),
 * the backlog is dropped (its events carry no revisions: followers install snapshots instead), and
 * the revisions used are reserved ({@link Revisions}), so the first start after it goes on above them.
 * A crash before the batch leaves the dir as it was, in format 1: the next start migrates again.
 */
public final class FormatMigration {
  private static final Logger log = LoggerFactory.getLogger(FormatMigration.class);

  private FormatMigration() {}

  /** As {@link KvStore#open}, but a data dir of format 1 is migrated instead of refused. */
  public static KvStore openMigrating(Path dir, boolean syncWrites) {
    KvStore store = KvStore.openAnyFormat(dir, syncWrites);
    try {
      if (store.formatVersion() == Layout.FORMAT_UNVERSIONED) {
        migrate(store, System.currentTimeMillis());
      }
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    store.close();
    return KvStore.open(dir, syncWrites);
  }

  /** Migrates an open store of format 1; {@code nowMs} is the wall clock (the revisions' floor). */
  static void migrate(KvStore store, long nowMs) {
    int shards = (int) store.metaLong(LeaderMetadata.SHARDS, 0);
    long epoch = Math.max(store.metaLong(LeaderMetadata.EPOCH, 0) + 1, nowMs);
    long first = Math.max(store.metaLong(Revisions.RESERVED, 0) + 1, epoch * Revisions.PER_MS);
    long revision = first;
    long logEntries = 0;
    try (StoreBatch batch = store.newBatch()) {
      for (int shard = 0; shard < shards; shard++) {
        long digest = 0;
        long keys = 0;
        try (ShardCursor cursor = store.cursor(shard, null, false, null)) {
          while (cursor.next()) {
            StoredValue value = new StoredValue(cursor.record(), revision++, 0);
            batch.putData(shard, cursor.key(), value);
            digest += Digest.of(cursor.key(), value);
            keys++;
          }
        }
        ShardState state = store.shardState(shard);
        if (state.seq() > 0 || keys > 0) {
          batch.putShardState(shard, new ShardState(state.seq(), state.seqEpoch(), digest, keys));
        }
        List<Long> seqs = new ArrayList<>();
        final int s = shard;
        store.forEachLog(shard, 0, (seq, event) -> seqs.add(seq));
        seqs.forEach(seq -> batch.deleteLog(s, seq));
        logEntries += seqs.size();
      }
      Revisions.reserve(batch, revision - 1);
      batch.putMeta(KvStore.FORMAT, KvStore.formatBytes(Layout.FORMAT_VERSION));
      store.writeSynced(batch);
    }
    log.warn("MIGRATED data dir {} from format version {} to {}: {} keys got versions {}..{}; {} backlog events"
        + " dropped (followers install snapshots of their shards)", store.dir(), Layout.FORMAT_UNVERSIONED,
        Layout.FORMAT_VERSION, revision - first, first, revision - 1, logEntries);
  }
}
