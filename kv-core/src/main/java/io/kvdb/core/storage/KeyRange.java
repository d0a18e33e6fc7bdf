package io.kvdb.core.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntPredicate;

/**
 * Lists keys across shards in global key order (unsigned UTF-8 bytes). Data is stored by shard, so
 * a page merges one cursor per shard; only {@code limit + 1} pairs are ever held.
 */
public final class KeyRange {
  private KeyRange() {}

  /** One page of pairs; {@code hasMore} when more keys match after the last one. */
  public record Page(List<Pair> items, boolean hasMore) {}

  /** A key (UTF-8 bytes) and its value (null when keys only were asked). */
  public record Pair(byte[] key, byte[] value) {
    public String keyString() {
      return new String(key, StandardCharsets.UTF_8);
    }
  }

  /**
   * Keys starting with {@code prefix}, strictly after {@code startAfter} (empty: from the start),
   * in the shards accepted by {@code shardFilter}, at most {@code limit} of them.
   */
  public static Page list(KvStore store, int shards, IntPredicate shardFilter,
      byte[] prefix, byte[] startAfter, int limit, boolean keysOnly) {
    return list(store, shards, shardFilter, prefix, startAfter, limit, keysOnly, Long.MAX_VALUE);
  }

  /**
   * As above, and the page also ends once its keys and values reach {@code maxBytes} (it always
   * holds at least one pair), so that a page of large values still fits one message.
   */
  public static Page list(KvStore store, int shards, IntPredicate shardFilter,
      byte[] prefix, byte[] startAfter, int limit, boolean keysOnly, long maxBytes) {
    // Start each shard at the later of the prefix (inclusive) and startAfter (exclusive).
    boolean afterCursor = startAfter.length > 0 && Arrays.compareUnsigned(startAfter, prefix) >= 0;
    byte[] start = afterCursor ? startAfter : prefix;
    PriorityQueue<Head> heads = new PriorityQueue<>();
    List<ShardCursor> cursors = new ArrayList<>();
    try {
      for (int shard = 0; shard < shards; shard++) {
        if (!shardFilter.test(shard)) {
          continue;
        }
        ShardCursor cursor = store.cursor(shard, start, !afterCursor, null);
        cursors.add(cursor);
        advance(cursor, prefix, heads);
      }
      List<Pair> items = new ArrayList<>();
      long bytes = 0;
      while (!heads.isEmpty() && items.size() < limit && (items.isEmpty() || bytes < maxBytes)) {
        Head head = heads.poll();
        items.add(new Pair(head.key, keysOnly ? null : head.value));
        bytes += head.key.length + (keysOnly ? 0 : head.value.length);
        advance(head.cursor, prefix, heads);
      }
      return new Page(items, !heads.isEmpty());
    } finally {
      cursors.forEach(ShardCursor::close);
    }
  }

  private static void advance(ShardCursor cursor, byte[] prefix, PriorityQueue<Head> heads) {
    // Cursors start at or after the prefix, so the first key outside it ends the shard.
    if (cursor.next() && Layout.startsWith(cursor.key(), prefix)) {
      heads.add(new Head(cursor.key(), cursor.value(), cursor));
    }
  }

  private record Head(byte[] key, byte[] value, ShardCursor cursor) implements Comparable<Head> {
    @Override
    public int compareTo(Head other) {
      return Arrays.compareUnsigned(key, other.key);
    }
  }
}
