package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardStateTest {
  @Test
  void incrementalDigestEqualsDigestRecomputedFromScratch() {
    Random random = new Random(2026);
    Map<String, byte[]> live = new HashMap<>();
    ShardState state = ShardState.EMPTY;
    for (int seq = 1; seq <= 5_000; seq++) {
      String key = "k" + random.nextInt(300);
      byte[] old = live.get(key);
      if (random.nextInt(3) == 0) {
        state = state.afterDelete(seq, 1, utf8(key), old);
        live.remove(key);
      } else {
        byte[] value = new byte[random.nextInt(20)];
        random.nextBytes(value);
        state = state.afterPut(seq, 1, utf8(key), old, value);
        live.put(key, value);
      }
      assertEquals(seq, state.seq());
    }
    assertEquals(fromScratch(live), state.digest());
    assertEquals(live.size(), state.keys());
  }

  @Test
  void deleteOfAnAbsentKeyAdvancesSeqOnly() {
    ShardState before = new ShardState(4, 1, 99, 2);
    assertEquals(new ShardState(5, 2, 99, 2), before.afterDelete(5, 2, utf8("gone"), null));
  }

  @Test
  void overwriteReplacesTheOldPairsContribution() {
    ShardState one = ShardState.EMPTY.afterPut(1, 1, utf8("k"), null, utf8("old"));
    ShardState two = one.afterPut(2, 1, utf8("k"), utf8("old"), utf8("new"));
    assertEquals(1, two.keys());
    assertEquals(Digest.of(utf8("k"), utf8("new")), two.digest());
  }

  @Test
  void encodingRoundTrips() {
    ShardState state = new ShardState(Long.MAX_VALUE, 7, -1, 12);
    assertEquals(state, ShardState.decode(state.encode()));
    assertEquals(ShardState.EMPTY, ShardState.decode(null));
  }

  @Test
  void pairHashIsTheDocumentedMurmur3OfLengthKeyValue() {
    // cluster.proto: murmur3_128-first64(len(key) as 4 bytes LE, key, value).
    byte[] key = utf8("clé");
    byte[] value = {1, 2, 3};
    byte[] input = ByteBuffer.allocate(4 + key.length + value.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(key.length).put(key).put(value).array();
    assertEquals(Hashing.murmur3_128(0).hashBytes(input).asLong(), Digest.of(key, value));
  }

  @Test
  void keyValueBoundaryChangesThePairHash() {
    assertNotEquals(Digest.of(utf8("ab"), utf8("c")), Digest.of(utf8("a"), utf8("bc")));
  }

  private static long fromScratch(Map<String, byte[]> live) {
    long sum = 0;
    for (Map.Entry<String, byte[]> pair : live.entrySet()) {
      sum += Digest.of(utf8(pair.getKey()), pair.getValue());
    }
    return sum;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
