package io.kvdb.core.storage;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * The per-pair hash summed (mod 2^64) into a shard's digest. A sum is order-free and can be updated
 * incrementally with each write, so a digest costs nothing to keep and two copies of a shard can be
 * compared at any seq without reading them.
 */
public final class Digest {
  private static final HashFunction MURMUR3_128 = Hashing.murmur3_128(0);

  private Digest() {}

  /**
   * murmur3_128 (seed 0), its first 64 bits, of len(key) (4 bytes, little-endian), key, version
   * (8 bytes, little-endian), expires_at_ms (8 bytes, little-endian), value: so two copies that
   * differ in a version or an expiry time differ in their digest too.
   */
  public static long of(byte[] key, StoredValue stored) {
    return MURMUR3_128.newHasher()
        .putInt(key.length)
        .putBytes(key)
        .putLong(stored.version())
        .putLong(stored.expiresAtMs())
        .putBytes(stored.value())
        .hash()
        .asLong();
  }
}
