package io.kvdb.core.storage;

/**
 * Many tiny pairs in one shard, written straight to the store (no shard state, no log): four-byte
 * keys, empty values, and a version and expiry whose varints are long. The worst case for a chunk
 * counted by its keys' and values' bytes alone, whose entries' framing then outweighs them.
 */
public final class TinyPairs {
  private TinyPairs() {}

  /** Writes {@code count} (at most 2^24) such pairs into {@code shard}. */
  public static void write(KvStore store, int shard, int count) {
    try (StoreBatch batch = store.newBatch()) {
      for (int i = 0; i < count; i++) {
        batch.putData(shard, key(i), new StoredValue(new byte[0], 1L << 40, 1L << 45));
      }
      store.write(batch);
    }
  }

  /** A distinct four-byte key per {@code i} (base 64 digits, printable ASCII). */
  private static byte[] key(int i) {
    byte[] key = new byte[4];
    for (int d = 3; d >= 0; d--, i >>>= 6) {
      key[d] = (byte) ('0' + (i & 63));
    }
    return key;
  }
}
