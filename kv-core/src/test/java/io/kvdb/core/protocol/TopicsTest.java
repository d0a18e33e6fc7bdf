package io.kvdb.core.protocol;

import io.kvdb.core.sharding.ShardFunction;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {
  @Test
  void topicIsShardSlashFiveDigits() {
    assertArrayEquals(ascii("shard/00000"), Topics.of(0));
    assertArrayEquals(ascii("shard/00042"), Topics.of(42));
    assertArrayEquals(ascii("shard/65535"), Topics.of(ShardFunction.MAX_SHARDS - 1));
    assertEquals(11, Topics.LENGTH);
  }

  @Test
  void everyShardRoundTrips() {
    for (int shard = 0; shard < ShardFunction.MAX_SHARDS; shard++) {
      assertEquals(shard, Topics.parse(Topics.of(shard)));
    }
  }

  @Test
  void noTopicIsAPrefixOfAnother() {
    // ZeroMQ SUB matches by prefix: subscribing to shard 1 must not deliver shard 10, 100, 1000...
    byte[] one = Topics.of(1);
    for (int other : new int[] {10, 11, 100, 1000, 10_000, 12_345, 65_535}) {
      byte[] topic = Topics.of(other);
      assertFalse(startsWith(topic, one), "shard 1's topic is a prefix of shard " + other + "'s");
    }
    // In general: all topics have one length and are distinct, so none can be a prefix of another.
    Set<String> seen = new HashSet<>();
    for (int shard = 0; shard < ShardFunction.MAX_SHARDS; shard++) {
      byte[] topic = Topics.of(shard);
      assertEquals(Topics.LENGTH, topic.length);
      assertTrue(seen.add(new String(topic, StandardCharsets.US_ASCII)), "duplicate topic for shard " + shard);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "shard/", "shard/1", "shard/0001", "shard/000001", "shard-00001", "Shard/00001",
      "shard/0000x", "shard/-0001", "shard/ 0001", "xxxxx/00001"})
  void malformedTopicsParseAsMinusOne(String topic) {
    assertEquals(-1, Topics.parse(ascii(topic)));
  }

  @Test
  void nullTopicParsesAsMinusOne() {
    assertEquals(-1, Topics.parse(null));
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
