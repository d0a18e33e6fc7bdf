package io.kvdb.core.sharding;

import static com.google.common.base.Preconditions.checkArgument;

import io.kvdb.common.sharding.KeyShards;
import java.nio.charset.StandardCharsets;

/**
 * Maps a key to its shard: {@code shard = murmur3_32(utf8(key), seed 0) mod shards}, the hash read
 * as an unsigned 32-bit number, as {@link KeyShards} defines it (one definition for the leader
 * and for the clients that read from followers).
 *
 * <p>This function is part of the on-disk and on-wire format: a key's shard must never change for
 * the life of a cluster, so neither the hash, its seed nor the encoding may change.
 */
public final class ShardFunction {
  /** Shards of a new cluster when the flag is not given. */
  public static final int DEFAULT_SHARDS = 64;
  /** Upper bound: shard numbers fit the 5-digit topic and two bytes. */
  public static final int MAX_SHARDS = KeyShards.MAX_SHARDS;

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
    return KeyShards.shardOf(utf8Key, shards);
  }
}
