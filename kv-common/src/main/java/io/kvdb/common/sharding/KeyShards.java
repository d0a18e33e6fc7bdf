package io.kvdb.common.sharding;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The one definition of a key's shard: {@code murmur3_32(utf8(key), seed 0) mod shards}, the hash
 * read as an unsigned 32-bit number. The leader places keys with it (through kv-core's
 * {@code ShardFunction}), and a client that reads from followers finds the key's shard with it.
 *
 * <p>This function is part of the on-disk and on-wire format: a key's shard must never change for
 * the life of a cluster, so neither the hash, its seed nor the encoding may change.
 */
public final class KeyShards {
  /** Upper bound: shard numbers fit the 5-digit topic and two bytes. */
  public static final int MAX_SHARDS = 65_536;

  private static final HashFunction MURMUR3_32 = Hashing.murmur3_32_fixed(0);

  private KeyShards() {}

  /** The shard of {@code key} in a cluster of {@code shards} shards. */
  public static int shardOf(String key, int shards) {
    return shardOf(key.getBytes(StandardCharsets.UTF_8), shards);
  }

  /** The shard of the key whose UTF-8 bytes are {@code utf8Key}. */
  public static int shardOf(byte[] utf8Key, int shards) {
    checkArgument(shards > 0 && shards <= MAX_SHARDS, "shards must be in 1..%s: %s", MAX_SHARDS, shards);
    long unsignedHash = Integer.toUnsignedLong(MURMUR3_32.hashBytes(utf8Key).asInt());
    return (int) (unsignedHash % shards);
  }
}
