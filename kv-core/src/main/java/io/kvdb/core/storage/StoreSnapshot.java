package io.kvdb.core.storage;

import java.io.IOException;
import java.util.Optional;
import org.iq80.leveldb.Snapshot;

/** A point-in-time view of a {@link KvStore}; release it with close. */
public final class StoreSnapshot implements AutoCloseable {
  private final KvStore store;
  final Snapshot snapshot;
  private boolean closed;

  StoreSnapshot(KvStore store, Snapshot snapshot) {
    this.store = store;
    this.snapshot = snapshot;
  }

  public ShardState shardState(int shard) {
    return store.shardState(shard, snapshot);
  }

  /** A metadata entry as of this snapshot. */
  public Optional<byte[]> meta(String name) {
    return store.meta(name, snapshot);
  }

  /** Releases the snapshot; a second call does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      snapshot.close();
    } catch (IOException e) {
      throw new StorageException("releasing a snapshot failed: " + e, e);
    }
  }
}
