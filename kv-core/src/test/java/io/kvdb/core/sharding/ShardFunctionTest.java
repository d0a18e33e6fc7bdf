package io.kvdb.core.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShardFunctionTest {
  private final ShardFunction shards64 = new ShardFunction(ShardFunction.DEFAULT_SHARDS);

  /**
   * The shard of a key is part of the on-disk format: these values were recorded when the format
   * was fixed and must never change. A failure here means existing data dirs would be misread.
   */
  @ParameterizedTest(name = "\"{0}\" -> shard {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "a | 50",
      "b | 3",
      "key | 4",
      "key1 | 37",
      "key10 | 9",
      "user:1000 | 28",
      "user:1001 | 0",
      "\" \" | 24",
      "0 | 63",
      "é | 7",
      "e\u0301 | 40",
      "日本語 | 23",
      "ключ | 2",
      "😀 | 58",
      "emoji-😀-key | 25",
      "\uFFFD | 1",
      "a/b/c | 22",
      "hello | 7",
      "The quick brown fox jumps over the lazy dog | 35",
  })
  void fixedKeysMapToFixedShardsForever(String key, int shard) {
    assertEquals(shard, shards64.shardOf(key));
  }

  @Test
  void nulCharacterKeyMapsToFixedShard() {
    // Not expressible in a CSV row: a key of one U+0000, which is one zero byte in UTF-8.
    assertEquals(55, shards64.shardOf("\u0000"));
  }

  @Test
  void defaultShardCountIs64() {
    assertEquals(64, ShardFunction.DEFAULT_SHARDS);
  }

  /** Published murmur3_x86_32 vectors (seed 0), so a client in another language can check its port. */
  @ParameterizedTest
  @CsvSource({
      "'', 0x00000000",
      "hello, 0x248bfa47",
      "The quick brown fox jumps over the lazy dog, 0x2e4ff723",
  })
  void hashIsStandardMurmur3x86With32BitsAndSeedZero(String key, String hex) {
    long hash = Long.decode(hex);
    assertEquals(hash, ReferenceMurmur3.hash32(utf8(key)));
    ShardFunction big = new ShardFunction(ShardFunction.MAX_SHARDS);
    assertEquals(hash % ShardFunction.MAX_SHARDS, big.shardOf(key));
  }

  @Test
  void shardIsUnsignedHashModShardsForAnyShardCount() {
    Random random = new Random(42);
    int[] counts = {1, 3, 7, 64, 100, 1000, 65_536};
    for (int i = 0; i < 5_000; i++) {
      byte[] key = new byte[1 + random.nextInt(40)];
      random.nextBytes(key);
      long expected = ReferenceMurmur3.hash32(key);
      for (int count : counts) {
        assertEquals(expected % count, new ShardFunction(count).shardOf(key), "shards=" + count);
      }
    }
  }

  @Test
  void stringAndUtf8BytesAgree() {
    for (String key : new String[] {"a", "é", "日本語", "😀", "mixed ascii ✓ and 😀"}) {
      assertEquals(shards64.shardOf(utf8(key)), shards64.shardOf(key), key);
    }
  }

  @Test
  void keysSpreadEvenlyOverShards() {
    int keys = 64_000;
    int[] perShard = new int[64];
    for (int i = 0; i < keys; i++) {
      perShard[shards64.shardOf("user:" + i)]++;
    }
    int expected = keys / 64;
    for (int shard = 0; shard < 64; shard++) {
      // With 1,000 expected per shard, a fair hash stays well within +-15% (about 5 sigma).
      assertTrue(Math.abs(perShard[shard] - expected) < expected * 0.15,
          "shard " + shard + " got " + perShard[shard] + " of " + keys + " keys");
    }
  }

  @Test
  void shardCountOutsideRangeIsRefused() {
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new ShardFunction(0));
    assertTrue(zero.getMessage().contains("shards must be in 1..65536: 0"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ShardFunction(-1));
    assertThrows(IllegalArgumentException.class, () -> new ShardFunction(ShardFunction.MAX_SHARDS + 1));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
