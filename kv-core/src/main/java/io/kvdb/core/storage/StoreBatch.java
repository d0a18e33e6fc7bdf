package io.kvdb.core.storage;

import java.io.IOException;
import org.iq80.leveldb.WriteBatch;

/** Changes committed together by {@link KvStore#write}: data, shard states and log entries. */
public final class StoreBatch implements AutoCloseable {
  private final WriteBatch batch;
  private int operations;
  private long bytes;

  StoreBatch(WriteBatch batch) {
    this.batch = batch;
  }

  WriteBatch writeBatch() {
    return batch;
  }

  public int operations() {
    return operations;
  }

  /** Keys and values added so far, in bytes: roughly what the batch adds to LevelDB's log. */
  public long bytes() {
    return bytes;
  }

  /** Stores {@code value} under {@code key}, in the stored form ({@link StoredValue#encode}). */
  public StoreBatch putData(int shard, byte[] key, StoredValue value) {
    return put(Layout.data(shard, key), value.encode());
  }

  public StoreBatch deleteData(int shard, byte[] key) {
    return delete(Layout.data(shard, key));
  }

  public StoreBatch putShardState(int shard, ShardState state) {
    return put(Layout.shardState(shard), state.encode());
  }

  public StoreBatch deleteShardState(int shard) {
    return delete(Layout.shardState(shard));
  }

  public StoreBatch putLog(int shard, long seq, byte[] event) {
    return put(Layout.log(shard, seq), event);
  }

  public StoreBatch deleteLog(int shard, long seq) {
    return delete(Layout.log(shard, seq));
  }

  public StoreBatch putMeta(String name, byte[] value) {
    return put(Layout.meta(name), value);
  }

  public StoreBatch deleteMeta(String name) {
    return delete(Layout.meta(name));
  }

  public StoreBatch putFollowerRecord(String id, byte[] record) {
    return put(Layout.follower(id), record);
  }

  private StoreBatch put(byte[] key, byte[] value) {
    batch.put(key, value);
    operations++;
    bytes += key.length + value.length;
    return this;
  }

  private StoreBatch delete(byte[] key) {
    batch.delete(key);
    operations++;
    bytes += key.length;
    return this;
  }

  @Override
  public void close() {
    try {
      batch.close();
    } catch (IOException e) {
      throw new StorageException("closing a write batch failed: " + e, e);
    }
  }
}
