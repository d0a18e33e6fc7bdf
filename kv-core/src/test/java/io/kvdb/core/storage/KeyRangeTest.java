package io.kvdb.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.sharding.ShardFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRangeTest {
  private static final int SHARDS = 8;
  private static final ShardFunction SHARD_OF = new ShardFunction(SHARDS);

  /**
   * Keys in unsigned UTF-8 byte order, written out by hand. Java's String order (UTF-16 units)
   * would put the emoji (surrogates D83D..) before U+FFFD; in UTF-8, F0 sorts after EF.
   */
  private static final List<String> IN_ORDER = List.of(
      "A", "Z", "a", "ab", "abc", "abd", "b", "z", "~",
      "é",       // C3 A9
      "ÿ",       // C3 BF
      "ключ",    // D0 BA ...
      "日本",    // E6 97 A5 ...
      "\uFFFD",  // EF BF BD
      "😀");     // F0 9F 98 80

  @TempDir Path dir;
  private KvStore store;
  private final Map<String, Integer> valueBytes = new HashMap<>();

  @BeforeEach
  void fill() {
    store = KvStore.open(dir, false);
    KvStoreTest.write(store, batch -> {
      for (int i = IN_ORDER.size() - 1; i >= 0; i--) {
        String key = IN_ORDER.get(i);
        batch.putData(SHARD_OF.shardOf(key), utf8(key), new StoredValue(utf8("v:" + key), 0, 0));
      }
    });
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void keysOfManyShardsComeBackInUnsignedUtf8Order() {
    assertTrue(IN_ORDER.stream().map(SHARD_OF::shardOf).distinct().count() > 3, "the keys span several shards");
    assertTrue("😀".compareTo("\uFFFD") < 0, "Java's own order differs, so this test can tell them apart");
    KeyRange.Page page = list("", "", 100, false);
    assertEquals(IN_ORDER, keys(page));
    assertFalse(page.hasMore());
    for (KeyRange.Pair pair : page.items()) {
      assertArrayEquals(utf8("v:" + pair.keyString()), pair.value());
    }
  }

  @Test
  void prefixSelectsAContiguousRun() {
    assertEquals(List.of("a", "ab", "abc", "abd"), keys(list("a", "", 100, false)));
    assertEquals(List.of("ab", "abc", "abd"), keys(list("ab", "", 100, false)));
    assertEquals(List.of("é"), keys(list("é", "", 100, false)));
    assertEquals(List.of(), keys(list("nothing", "", 100, false)));
  }

  @Test
  void nonAsciiPrefixMatchesWholeUtf8Bytes() {
    // "é" and "ÿ" share the lead byte C3; the prefix "é" is the two bytes C3 A9, so "ÿ" is out.
    assertEquals(List.of("é"), keys(list("é", "", 100, false)));
  }

  @Test
  void startAfterIsExclusiveWhetherOrNotTheKeyExists() {
    assertEquals(List.of("abd", "b"), keys(list("", "abc", 2, false)));
    assertEquals(List.of("abc", "abd"), keys(list("", "abbb", 2, false)));
    assertEquals(List.of("\uFFFD", "😀"), keys(list("", "日本", 100, false)));
    assertEquals(List.of(), keys(list("", "😀", 100, false)));
  }

  @Test
  void startAfterAndPrefixTogether() {
    assertEquals(List.of("abd"), keys(list("ab", "abc", 100, false)));
    assertEquals(List.of("a", "ab", "abc", "abd"), keys(list("a", "A", 100, false)), "a cursor before the prefix");
    assertEquals(List.of(), keys(list("a", "b", 100, false)), "a cursor past the prefix");
    assertEquals(List.of("abc", "abd"), keys(list("ab", "ab", 100, false)), "cursor equal to prefix");
  }

  @Test
  void limitCutsThePageAndSaysMoreFollow() {
    KeyRange.Page page = list("", "", 3, false);
    assertEquals(List.of("A", "Z", "a"), keys(page));
    assertTrue(page.hasMore());
    KeyRange.Page exact = list("a", "", 4, false);
    assertEquals(4, exact.items().size());
    assertFalse(exact.hasMore(), "a page that ends exactly at the last match has no more");
  }

  @Test
  void pagingWithTheLastKeyAsCursorVisitsEveryKeyOnce() {
    List<String> seen = new ArrayList<>();
    String cursor = "";
    int pages = 0;
    while (true) {
      KeyRange.Page page = list("", cursor, 4, false);
      pages++;
      seen.addAll(keys(page));
      if (!page.hasMore()) {
        break;
      }
      cursor = page.items().get(page.items().size() - 1).keyString();
    }
    assertEquals(IN_ORDER, seen);
    assertEquals(4, pages);
  }

  @Test
  void keysOnlyLeavesValuesOut() {
    for (KeyRange.Pair pair : list("", "", 100, true).items()) {
      assertNull(pair.value());
    }
  }

  @Test
  void shardFilterListsOnlyTheAcceptedShards() {
    int shard = SHARD_OF.shardOf("a");
    List<String> expected = IN_ORDER.stream().filter(k -> SHARD_OF.shardOf(k) == shard).toList();
    KeyRange.Page page = KeyRange.list(store, SHARDS, s -> s == shard, new byte[0], new byte[0], 100, false);
    assertEquals(expected, keys(page));
  }

  @Test
  void aPageEndsAtItsByteBudgetButAlwaysHoldsOnePair() {
    KeyRange.Page one = KeyRange.list(store, SHARDS, shard -> true, new byte[0], new byte[0], 100, false, 1);
    assertEquals(1, one.items().size());
    assertTrue(one.hasMore());
    KeyRange.Page all = KeyRange.list(store, SHARDS, shard -> true, new byte[0], new byte[0], 100, false, Long.MAX_VALUE);
    assertEquals(IN_ORDER, keys(all));
  }

  @Test
  void aPageOverManyShardsHoldsAtMostLimitPlusOnePairsAndOpensOneCursor() {
    int manyShards = 4096;
    ShardFunction shardOf = new ShardFunction(manyShards);
    List<String> all = new ArrayList<>();
    try (KvStore many = KvStore.open(dir.resolve("many"), false)) {
      KvStoreTest.write(many, batch -> {
        for (int i = 0; i < 3 * manyShards; i++) {
          String key = String.format("key-%06d", i);
          all.add(key);
          batch.putData(shardOf.shardOf(key), utf8(key), new StoredValue(utf8("v"), 0, 0));
        }
      });
      assertTrue(all.stream().map(shardOf::shardOf).distinct().count() > manyShards / 2, "keys spread over the shards");
      for (int limit : new int[] {1, 10, 1000}) {
        KeyRange.Probe probe = new KeyRange.Probe();
        KeyRange.Page page = KeyRange.list(many, manyShards, shard -> true, new byte[0], new byte[0], limit, false,
            Long.MAX_VALUE, probe);
        assertEquals(all.subList(0, limit), keys(page));
        assertTrue(page.hasMore());
        assertTrue(probe.peakPairs <= limit + 1, "held " + probe.peakPairs + " pairs for a page of " + limit);
        assertEquals(1, probe.cursorsOpened, "one cursor, re-seeked from shard to shard");
        assertTrue(probe.shardsSeeked >= manyShards, "the shard-first layout: every shard is looked into");
        assertTrue(probe.shardsSeeked <= manyShards + limit + 1, "a second look only at shards still on the page: "
            + probe.shardsSeeked);
      }
      KeyRange.Probe none = new KeyRange.Probe();
      KeyRange.list(many, manyShards, shard -> false, new byte[0], new byte[0], 10, false, Long.MAX_VALUE, none);
      assertEquals(0, none.cursorsOpened, "no shard listed, no cursor opened");
    }
  }

  @Test
  void pagesAreTheSortedMatchesCutByLimitAndBytesForEveryCombination() {
    List<String> all = new ArrayList<>(IN_ORDER);
    KvStoreTest.write(store, batch -> {
      for (int i = 0; i < 60; i++) {
        String key = "p" + (char) ('a' + i % 7) + i;
        all.add(key);
        // Two thirds in one shard (a skewed page, read mostly in the second round), the rest spread.
        batch.putData(i % 3 == 0 ? SHARD_OF.shardOf(key) : 3, utf8(key), new StoredValue(new byte[i % 13], 0, 0));
        valueBytes.put(key, i % 13);
      }
    });
    IN_ORDER.forEach(key -> valueBytes.put(key, utf8("v:" + key).length));
    List<String> sorted = all.stream().map(KeyRangeTest::utf8).sorted(Arrays::compareUnsigned)
        .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    for (String prefix : List.of("", "p", "pc", "a", "é", "q")) {
      for (String startAfter : List.of("", "A", "pb", "pc30", "pz", "~")) {
        for (int limit : new int[] {1, 2, 5, 17, 1000}) {
          for (long maxBytes : new long[] {1, 9, 40, 200, Long.MAX_VALUE}) {
            for (boolean keysOnly : new boolean[] {false, true}) {
              String what = prefix + "|" + startAfter + "|" + limit + "|" + maxBytes + "|" + keysOnly;
              KeyRange.Page page = KeyRange.list(store, SHARDS, shard -> true, utf8(prefix), utf8(startAfter),
                  limit, keysOnly, maxBytes);
              List<String> expected = expectedPage(sorted, prefix, startAfter, limit, maxBytes, keysOnly);
              assertEquals(expected, keys(page), what);
              long matching = sorted.stream().filter(k -> k.startsWith(prefix) && after(k, startAfter)).count();
              assertEquals(matching > expected.size(), page.hasMore(), what);
            }
          }
        }
      }
    }
  }

  /** The page as the contract states it, from every key in order. */
  private List<String> expectedPage(List<String> sorted, String prefix, String startAfter, int limit, long maxBytes,
      boolean keysOnly) {
    List<String> page = new ArrayList<>();
    long bytes = 0;
    for (String key : sorted) {
      if (!key.startsWith(prefix) || !after(key, startAfter)) {
        continue;
      }
      if (page.size() >= limit || (!page.isEmpty() && bytes >= maxBytes)) {
        break;
      }
      page.add(key);
      bytes += utf8(key).length + (keysOnly ? 0 : valueBytes.get(key));
    }
    return page;
  }

  private static boolean after(String key, String startAfter) {
    return Arrays.compareUnsigned(utf8(key), utf8(startAfter)) > 0;
  }

  private KeyRange.Page list(String prefix, String startAfter, int limit, boolean keysOnly) {
    return KeyRange.list(store, SHARDS, shard -> true, utf8(prefix), utf8(startAfter), limit, keysOnly);
  }

  private static List<String> keys(KeyRange.Page page) {
    return page.items().stream().map(KeyRange.Pair::keyString).toList();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
