package io.kvdb.core.storage;

import java.nio.ByteBuffer;

/**
 * Where a shard stands: the last seq written (leader) or applied (follower), the epoch of the
 * event at that seq, and the digest and live key count after it. Stored in the same WriteBatch as
 * the data it describes, so the two never disagree.
 */
public record ShardState(long seq, long seqEpoch, long digest, long keys) {
  public static final ShardState EMPTY = new ShardState(0, 0, 0, 0);

  byte[] encode() {
    return ByteBuffer.allocate(32).putLong(seq).putLong(seqEpoch).putLong(digest).putLong(keys).array();
  }

  static ShardState decode(byte[] bytes) {
    if (bytes == null) {
      return EMPTY;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new ShardState(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
  }

  /** The state after putting {@code key}: {@code oldValue} is null when the key was absent. */
  public ShardState afterPut(long newSeq, long epoch, byte[] key, StoredValue oldValue, StoredValue newValue) {
    long d = digest + Digest.of(key, newValue);
    long k = keys + 1;
    if (oldValue != null) {
      d -= Digest.of(key, oldValue);
      k -= 1;
    }
    return new ShardState(newSeq, epoch, d, k);
  }

  /** The state after deleting {@code key}; {@code oldValue} is null when the key was absent. */
  public ShardState afterDelete(long newSeq, long epoch, byte[] key, StoredValue oldValue) {
    if (oldValue == null) {
      return new ShardState(newSeq, epoch, digest, keys);
    }
    return new ShardState(newSeq, epoch, digest - Digest.of(key, oldValue), keys - 1);
  }
}
