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

  /** murmur3_128 (seed 0), its first 64 bits, of len(key) (4 bytes, little-endian), key, value. */
  public static long of(byte[] key, byte[] value) {
    return MURMUR3_128.newHasher()
        .putInt(key.length)
        .putBytes(key)
        .putBytes(value)
        .hash()
        .asLong();
  }
}
