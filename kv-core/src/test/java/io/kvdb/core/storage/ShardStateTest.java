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
    Map<String, StoredValue> live = new HashMap<>();
    ShardState state = ShardState.EMPTY;
    for (int seq = 1; seq <= 5_000; seq++) {
      String key = "k" + random.nextInt(300);
      StoredValue old = live.get(key);
      if (random.nextInt(3) == 0) {
        state = state.afterDelete(seq, 1, utf8(key), old);
        live.remove(key);
      } else {
        byte[] value = new byte[random.nextInt(20)];
        random.nextBytes(value);
        StoredValue stored = new StoredValue(value, 5_000L + seq, random.nextInt(2) * 1_000L);
        state = state.afterPut(seq, 1, utf8(key), old, stored);
        live.put(key, stored);
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
    StoredValue old = new StoredValue(utf8("old"), 1, 0);
    StoredValue fresh = new StoredValue(utf8("new"), 2, 0);
    ShardState one = ShardState.EMPTY.afterPut(1, 1, utf8("k"), null, old);
    ShardState two = one.afterPut(2, 1, utf8("k"), old, fresh);
    assertEquals(1, two.keys());
    assertEquals(Digest.of(utf8("k"), fresh), two.digest());
  }

  @Test
  void encodingRoundTrips() {
    ShardState state = new ShardState(Long.MAX_VALUE, 7, -1, 12);
    assertEquals(state, ShardState.decode(state.encode()));
    assertEquals(ShardState.EMPTY, ShardState.decode(null));
  }

  @Test
  void pairHashIsTheDocumentedMurmur3OfLengthKeyVersionExpiryValue() {
    // cluster.proto: murmur3_128-first64(len(key) 4 bytes LE, key, version 8 bytes LE, expires_at_ms 8 bytes LE, value).
    byte[] key = utf8("clé");
    byte[] value = {1, 2, 3};
    byte[] input = ByteBuffer.allocate(4 + key.length + 16 + value.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(key.length).put(key).putLong(77).putLong(1_900_000_000_000L).put(value).array();
    assertEquals(Hashing.murmur3_128(0).hashBytes(input).asLong(),
        Digest.of(key, new StoredValue(value, 77, 1_900_000_000_000L)));
  }

  @Test
  void keyValueBoundaryChangesThePairHash() {
    assertNotEquals(Digest.of(utf8("ab"), new StoredValue(utf8("c"), 1, 0)),
        Digest.of(utf8("a"), new StoredValue(utf8("bc"), 1, 0)));
  }

  @Test
  void versionAndExpiryChangeThePairHash() {
    long base = Digest.of(utf8("k"), new StoredValue(utf8("v"), 1, 0));
    assertNotEquals(base, Digest.of(utf8("k"), new StoredValue(utf8("v"), 2, 0)));
    assertNotEquals(base, Digest.of(utf8("k"), new StoredValue(utf8("v"), 1, 5)));
  }

  private static long fromScratch(Map<String, StoredValue> live) {
    long sum = 0;
    for (Map.Entry<String, StoredValue> pair : live.entrySet()) {
      sum += Digest.of(utf8(pair.getKey()), pair.getValue());
    }
    return sum;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
