package io.kvdb.core.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The leader's identity in its data dir: a random id made once, the shard count fixed at creation,
 * and an epoch bumped (and synced) at every start, so that events from before a crash can be told
 * from events after it. The epoch is also at least the wall-clock milliseconds at start.
 */
public record LeaderMetadata(String leaderId, long epoch, int shards) {
  static final String LEADER_ID = "leader_id";
  static final String EPOCH = "epoch";
  static final String SHARDS = "shards";
  /** Shards a rebuild found no copy of, comma-separated; absent when none (see {@link #missingShards}). */
  static final String MISSING_SHARDS = "missing_shards";

  /**
   * Reads the metadata, creating it on a new data dir with {@code requestedShards} (or
   * {@code defaultShards}), and bumps the epoch.
   *
   * @throws StorageException when {@code requestedShards} differs from the stored shard count
   */
  public static LeaderMetadata start(KvStore store, OptionalInt requestedShards, int defaultShards) {
    long storedShards = store.metaLong(SHARDS, 0);
    int shards;
    if (storedShards == 0) {
      shards = requestedShards.orElse(defaultShards);
      store.putMetaSynced(SHARDS, shards);
    } else {
      shards = (int) storedShards;
      if (requestedShards.isPresent() && requestedShards.getAsInt() != shards) {
        throw new StorageException("data dir " + store.dir() + " was created with " + shards
            + " shards; --shards " + requestedShards.getAsInt() + " would move every key. Drop the flag or use a new data dir");
      }
    }
    String leaderId = store.metaString(LEADER_ID).orElse(null);
    if (leaderId == null) {
      leaderId = UUID.randomUUID().toString();
      store.putMetaSynced(LEADER_ID, leaderId);
    }
    // At least the wall clock: a leader restored from an old backup must not reuse an epoch that
    // followers saw from the run it replaced.
    long epoch = Math.max(store.metaLong(EPOCH, 0) + 1, System.currentTimeMillis());
    store.putMetaSynced(EPOCH, epoch);
    return new LeaderMetadata(leaderId, epoch, shards);
  }

  /**
   * Adds to {@code batch} the metadata of a leader data dir made from a copy of its shards (a
   * restored backup, a rebuild from followers): the id kept, the shard count, and an epoch that
   * {@link #start} bumps above at the first start.
   */
  public static void seed(StoreBatch batch, String leaderId, int shards, long epoch) {
    batch.putMeta(LEADER_ID, leaderId.getBytes(StandardCharsets.UTF_8));
    batch.putMeta(SHARDS, ByteBuffer.allocate(8).putLong(shards).array());
    batch.putMeta(EPOCH, ByteBuffer.allocate(8).putLong(epoch).array());
  }

  /** Adds to {@code batch} the shards a rebuilt data dir holds no copy of (writes to them are refused). */
  public static void seedMissing(StoreBatch batch, List<Integer> missing) {
    if (!missing.isEmpty()) {
      batch.putMeta(MISSING_SHARDS, missing.stream().map(String::valueOf).collect(Collectors.joining(","))
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The shards this data dir was rebuilt without, until an operator accepts them empty. */
  public static List<Integer> missingShards(KvStore store) {
    return store.metaString(MISSING_SHARDS).filter(text -> !text.isEmpty())
        .map(text -> Arrays.stream(text.split(",")).map(Integer::valueOf).toList()).orElse(List.of());
  }

  /** The operator accepts the missing shards as empty: writes to them are taken from now on. */
  public static void acceptMissingShards(KvStore store) {
    try (StoreBatch batch = store.newBatch()) {
      batch.deleteMeta(MISSING_SHARDS);
      store.writeSynced(batch);
    }
  }
}
