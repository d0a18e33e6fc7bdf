package io.kvdb.core.storage;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.iq80.leveldb.DBIterator;

/** Walks the data keys of one shard in key order (see {@link #seek} for another). Not thread-safe; close it. */
public final class ShardCursor implements AutoCloseable {
  /**
   * At most what the message of one pair in a chunk (a snapshot's or a dump's entry: key, value,
   * version, expiry) adds to the pair's key and value: its tag and length, the key's and value's
   * tags and lengths, the version and expiry as tagged varints; 33 bytes, rounded up. Chunks count
   * it per pair, so that a chunk of tiny pairs stays as far below a message cap as one of large pairs.
   */
  public static final int ENTRY_FRAMING_BYTES = 40;
  private final DBIterator iterator;
  private byte[] shardPrefix;
  private byte[] key;
  private byte[] record;
  private StoredValue value;

  /** Starts at {@code startKey} (null: the shard's first key), skipping it unless {@code inclusive}. */
  ShardCursor(DBIterator iterator, int shard, byte[] startKey, boolean inclusive) {
    this.iterator = iterator;
    seek(shard, startKey, inclusive);
  }

  /**
   * Moves to {@code startKey} of {@code shard} (null: its first key), skipping it unless
   * {@code inclusive}: one cursor, and the one view of the store it reads, can visit many shards.
   */
  void seek(int shard, byte[] startKey, boolean inclusive) {
    shardPrefix = Layout.dataShardPrefix(shard);
    key = null;
    record = null;
    value = null;
    if (startKey == null) {
      iterator.seek(shardPrefix);
      return;
    }
    byte[] start = Layout.data(shard, startKey);
    iterator.seek(start);
    if (!inclusive && iterator.hasNext() && Arrays.equals(iterator.peekNext().getKey(), start)) {
      iterator.next();
    }
  }

  /**
   * Moves to the next pair of the shard; false when there is none. Reads with leveldbjni's
   * {@code next()} alone: it copies the pair out of LevelDB, so a {@code peekNext()} first would
   * copy every pair twice. Past the shard's last pair the iterator stands one pair further, which
   * nothing reads ({@link #seek} places it again).
   */
  public boolean next() {
    if (!iterator.hasNext()) {
      return false;
    }
    Map.Entry<byte[], byte[]> entry = iterator.next();
    if (!Layout.startsWith(entry.getKey(), shardPrefix)) {
      return false;
    }
    key = Layout.userKey(entry.getKey());
    record = entry.getValue();
    value = null;
    return true;
  }

  /** The current key's UTF-8 bytes. */
  public byte[] key() {
    return key;
  }

  /** The current key's record as stored (its format is the data dir's). */
  byte[] record() {
    return record;
  }

  /** The current key's value, version and expiry time. */
  public StoredValue stored() {
    if (value == null) {
      value = StoredValue.decode(record);
    }
    return value;
  }

  /** The current key's value bytes. */
  public byte[] value() {
    return stored().value();
  }

  /** The current key's version: the revision of its last write. */
  public long version() {
    return StoredValue.versionOf(record);
  }

  /** The current key's expiry time (wall-clock ms; 0: never), without copying its value. */
  public long expiresAtMs() {
    return StoredValue.expiresAtOf(record);
  }

  @Override
  public void close() {
    try {
      iterator.close();
    } catch (IOException e) {
      throw new StorageException("closing an iterator failed: " + e, e);
    }
  }
}
