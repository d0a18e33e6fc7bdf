package io.kvdb.core.storage;

import static org.fusesource.leveldbjni.JniDBFactory.factory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteOptions;

/**
 * One LevelDB data dir in the {@link Layout} format, shared by the leader and the followers.
 * Thread-safe: LevelDB serialises writes itself; callers decide who writes (one writer thread).
 */
public final class KvStore implements AutoCloseable {
  static final String FORMAT = "format";

  private final Path dir;
  private final DB db;
  private final WriteOptions writeOptions;

  private KvStore(Path dir, DB db, boolean syncWrites) {
    this.dir = dir;
    this.db = db;
    this.writeOptions = new WriteOptions().sync(syncWrites);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}. With {@code syncWrites}, every batch is
   * synced to disk before {@link #write} returns.
   */
  public static KvStore open(Path dir, boolean syncWrites) {
    KvStore store = openAnyFormat(dir, syncWrites);
    store.checkFormat();
    return store;
  }

  /** Opens without checking the format: for {@link FormatMigration}, which reads the old one. */
  static KvStore openAnyFormat(Path dir, boolean syncWrites) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot create data dir " + dir + ": " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new StorageException("data dir " + dir + " is not writable; fix its permissions or pick another --data-dir");
    }
    Options options = new Options().createIfMissing(true).paranoidChecks(true);
    DB db;
    try {
      db = factory.open(dir.toFile(), options);
    } catch (IOException e) {
      throw new StorageException(explain(dir, e), e);
    }
    return new KvStore(dir, db, syncWrites);
  }

  private static String explain(Path dir, IOException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("lock") || message.contains("Resource temporarily unavailable")) {
      return "data dir " + dir + " is locked: another kvdb process is using it (stop it, or pick another --data-dir)";
    }
    if (message.contains("Corruption")) {
      return "data dir " + dir + " is corrupted: " + message;
    }
    return "cannot open data dir " + dir + ": " + message;
  }

  private void checkFormat() {
    int version = formatVersion();
    if (version == 0) {
      db.put(Layout.meta(FORMAT), formatBytes(Layout.FORMAT_VERSION), new WriteOptions().sync(true));
      return;
    }
    if (version == Layout.FORMAT_UNVERSIONED) {
      close();
      throw new OldFormatException(dir, version);
    }
    if (version != Layout.FORMAT_VERSION) {
      close();
      throw new StorageException("data dir " + dir + " has format version " + version
          + "; this build reads version " + Layout.FORMAT_VERSION);
    }
  }

  /** The data dir's format version; 0 for a new, empty one. */
  int formatVersion() {
    byte[] stored = db.get(Layout.meta(FORMAT));
    return stored == null ? 0 : ByteBuffer.wrap(stored).getInt();
  }

  static byte[] formatBytes(int version) {
    return ByteBuffer.allocate(4).putInt(version).array();
  }

  public Path dir() {
    return dir;
  }

  // ---- metadata -------------------------------------------------------------------------------

  public Optional<byte[]> meta(String name) {
    return Optional.ofNullable(db.get(Layout.meta(name)));
  }

  Optional<byte[]> meta(String name, Snapshot snapshot) {
    return Optional.ofNullable(db.get(Layout.meta(name), new ReadOptions().snapshot(snapshot)));
  }

  public Optional<String> metaString(String name) {
    return meta(name).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
  }

  public long metaLong(String name, long absent) {
    return meta(name).map(bytes -> ByteBuffer.wrap(bytes).getLong()).orElse(absent);
  }

  /** Writes one metadata entry and syncs it, whatever the store's mode. */
  public void putMetaSynced(String name, byte[] value) {
    db.put(Layout.meta(name), value, new WriteOptions().sync(true));
  }

  public void putMetaSynced(String name, String value) {
    putMetaSynced(name, value.getBytes(StandardCharsets.UTF_8));
  }

  public void putMetaSynced(String name, long value) {
    putMetaSynced(name, ByteBuffer.allocate(8).putLong(value).array());
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** The value of {@code key}, with its version and expiry time. */
  public Optional<StoredValue> get(int shard, byte[] key) {
    return Optional.ofNullable(db.get(Layout.data(shard, key))).map(StoredValue::decode);
  }

  /** The value of {@code key} as of {@code snapshot}: read with its shard's state from the same snapshot, they agree. */
  public Optional<StoredValue> get(int shard, byte[] key, StoreSnapshot snapshot) {
    return Optional.ofNullable(db.get(Layout.data(shard, key), new ReadOptions().snapshot(snapshot.snapshot)))
        .map(StoredValue::decode);
  }

  ShardState shardState(int shard, Snapshot snapshot) {
    return ShardState.decode(db.get(Layout.shardState(shard), new ReadOptions().snapshot(snapshot)));
  }

  public ShardState shardState(int shard) {
    return ShardState.decode(db.get(Layout.shardState(shard)));
  }

  /**
   * Walks the data keys of one shard in key order from {@code startKey} (null: the shard's first
   * key; skipped unless {@code inclusive}), as of {@code snapshot} (null: now).
   */
  public ShardCursor cursor(int shard, byte[] startKey, boolean inclusive, StoreSnapshot snapshot) {
    // Checksums on: a damaged table block is an error here (a follower's startup scan moves such a
    // data dir aside) rather than keys and values read from garbage.
    ReadOptions readOptions = new ReadOptions().fillCache(false).verifyChecksums(true);
    if (snapshot != null) {
      readOptions.snapshot(snapshot.snapshot);
    }
    return new ShardCursor(db.iterator(readOptions), shard, startKey, inclusive);
  }

  /** A consistent view for reads that must agree (a snapshot's data, seq and digest). */
  public StoreSnapshot snapshot() {
    return new StoreSnapshot(this, db.getSnapshot());
  }

  /** Visits the log entries of a shard with seq >= {@code fromSeq}, in seq order, until the visitor returns false. */
  public void forEachLog(int shard, long fromSeq, LogVisitor visitor) {
    byte[] prefix = Layout.logShardPrefix(shard);
    try (DBIterator it = db.iterator(new ReadOptions().fillCache(false))) {
      for (it.seek(Layout.log(shard, fromSeq)); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> entry = it.next();
        if (!Layout.startsWith(entry.getKey(), prefix)
            || !visitor.visit(Layout.logSeq(entry.getKey()), entry.getValue())) {
          return;
        }
      }
    } catch (IOException e) {
      throw new StorageException("closing a log iterator failed: " + e, e);
    }
  }

  /** The lowest seq still in a shard's log, or 0 when its log is empty. */
  public long oldestLogSeq(int shard) {
    long[] oldest = {0};
    forEachLog(shard, 0, (seq, event) -> {
      oldest[0] = seq;
      return false;
    });
    return oldest[0];
  }

  /** Visits every follower record kept by the leader. */
  public void forEachFollowerRecord(Consumer<byte[]> visitor) {
    byte[] prefix = {Layout.FOLLOWER};
    try (DBIterator it = db.iterator()) {
      for (it.seek(prefix); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> entry = it.next();
        if (!Layout.startsWith(entry.getKey(), prefix)) {
          return;
        }
        visitor.accept(entry.getValue());
      }
    } catch (IOException e) {
      throw new StorageException("closing an iterator failed: " + e, e);
    }
  }

  // ---- writes ---------------------------------------------------------------------------------

  public StoreBatch newBatch() {
    return new StoreBatch(db.createWriteBatch());
  }

  /** Commits a batch atomically; synced to disk first when the store was opened with sync. */
  public void write(StoreBatch batch) {
    db.write(batch.writeBatch(), writeOptions);
  }

  /** Commits a batch atomically and syncs it, whatever the store's mode. */
  public void writeSynced(StoreBatch batch) {
    db.write(batch.writeBatch(), new WriteOptions().sync(true));
  }

  public boolean syncWrites() {
    return writeOptions.sync();
  }

  /** Adds to {@code batch} the deletion of every data key and the state of a shard. */
  public void deleteShard(int shard, StoreBatch batch) {
    try (ShardCursor cursor = cursor(shard, null, false, null)) {
      while (cursor.next()) {
        batch.deleteData(shard, cursor.key());
      }
    }
    batch.deleteShardState(shard);
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (IOException e) {
      throw new StorageException("closing " + dir + " failed: " + e, e);
    }
  }

  /** Called for each log entry: return false to stop. */
  @FunctionalInterface
  public interface LogVisitor {
    boolean visit(long seq, byte[] event);
  }
}
