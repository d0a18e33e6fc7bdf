package io.kvdb.core.storage;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The per-pair hash summed (mod 2^64) into a shard's digest. A sum is order-free and can be updated
 * incrementally with each write, so a digest costs nothing to keep and two copies of a shard can be
 * compared at any seq without reading them.
 */
public final class Digest {
  private static final HashFunction MURMUR3_128 = Hashing.murmur3_128(0);
  private static final int FIXED_BYTES = Integer.BYTES + 2 * Long.BYTES;

  private Digest() {}

  /**
   * murmur3_128 (seed 0), its first 64 bits, of len(key) (4 bytes, little-endian), key, version
   * (8 bytes, little-endian), expires_at_ms (8 bytes, little-endian), value: so two copies that
   * differ in a version or an expiry time differ in their digest too.
   *
   * <p>The pair is laid out in one array and hashed at once: Guava's streaming hasher gives the same
   * bits but cost a fifth of a fresh follower's CPU in a snapshot install.
   */
  public static long of(byte[] key, StoredValue stored) {
    byte[] value = stored.value();
    ByteBuffer pair = ByteBuffer.allocate(FIXED_BYTES + key.length + value.length).order(ByteOrder.LITTLE_ENDIAN);
    pair.putInt(key.length).put(key).putLong(stored.version()).putLong(stored.expiresAtMs()).put(value);
    return MURMUR3_128.hashBytes(pair.array()).asLong();
  }
}
