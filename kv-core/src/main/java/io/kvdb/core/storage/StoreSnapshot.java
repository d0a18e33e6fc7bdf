package io.kvdb.core.storage;

import java.io.IOException;
import org.iq80.leveldb.Snapshot;

/** A point-in-time view of a {@link KvStore}; release it with close. */
public final class StoreSnapshot implements AutoCloseable {
  private final KvStore store;
  final Snapshot snapshot;

  StoreSnapshot(KvStore store, Snapshot snapshot) {
    this.store = store;
    this.snapshot = snapshot;
  }

  public ShardState shardState(int shard) {
    return store.shardState(shard, snapshot);
  }

  @Override
  public void close() {
    try {
      snapshot.close();
    } catch (IOException e) {
      throw new StorageException("releasing a snapshot failed: " + e, e);
    }
  }
}
