package io.kvdb.core.sharding;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Maps a key to its shard: {@code shard = murmur3_32(utf8(key), seed 0) mod shards}, the hash read
 * as an unsigned 32-bit number.
 *
 * <p>This function is part of the on-disk and on-wire format: a key's shard must never change for
 * the life of a cluster, so neither the hash, its seed nor the encoding may change.
 */
public final class ShardFunction {
  /** Shards of a new cluster when the flag is not given. */
  public static final int DEFAULT_SHARDS = 64;
  /** Upper bound: shard numbers fit the 5-digit topic and two bytes. */
  public static final int MAX_SHARDS = 65_536;

  private static final HashFunction MURMUR3_32 = Hashing.murmur3_32_fixed(0);

  private final int shards;

  public ShardFunction(int shards) {
    checkArgument(shards > 0 && shards <= MAX_SHARDS, "shards must be in 1..%s: %s", MAX_SHARDS, shards);
    this.shards = shards;
  }

  public int shards() {
    return shards;
  }

  public int shardOf(String key) {
    return shardOf(key.getBytes(StandardCharsets.UTF_8));
  }

  public int shardOf(byte[] utf8Key) {
    long unsignedHash = Integer.toUnsignedLong(MURMUR3_32.hashBytes(utf8Key).asInt());
    return (int) (unsignedHash % shards);
  }
}
