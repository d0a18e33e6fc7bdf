package io.kvdb.core.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * The pairs of one List page, chosen from candidates offered in any order: the smallest keys, at
 * most {@code limit} of them, ending once they hold {@code maxBytes} (but never empty). It holds
 * at most {@code limit + 1} pairs at any time, and values of about {@code maxBytes}: a candidate
 * that pushes the page over either bound drops the page's largest key instead.
 */
final class PageSelection {
  private final int limit;
  private final long maxBytes;
  private final boolean keysOnly;
  /** Told the shard of every pair dropped off the page: no later key of that shard can be on it. */
  private final IntConsumer dropped;
  private final TreeMap<byte[], Held> pairs = new TreeMap<>(Arrays::compareUnsigned);
  /** Keys and (unless keys only) values of {@link #pairs}, in bytes. */
  private long bytes;
  /** A matching key is known that is not on the page. */
  private boolean more;
  private int peakPairs;

  private record Held(int shard, byte[] value, long version) {}

  PageSelection(int limit, long maxBytes, boolean keysOnly, IntConsumer dropped) {
    this.limit = limit;
    this.maxBytes = maxBytes;
    this.keysOnly = keysOnly;
    this.dropped = dropped;
  }

  /**
   * Offers a matching pair of {@code shard}. Returns false when the page is full and {@code key}
   * comes after all of it: then no larger key can enter either, and the caller stops reading that
   * shard.
   */
  boolean offer(int shard, byte[] key, byte[] value, long version) {
    if (full() && Arrays.compareUnsigned(key, pairs.lastKey()) > 0) {
      more = true;
      return false;
    }
    Held held = new Held(shard, keysOnly ? null : value, version);
    pairs.put(key, held);
    bytes += size(key, held);
    peakPairs = Math.max(peakPairs, pairs.size());
    // Past the limit, or the bytes before the last pair already reach the budget: the last pair
    // is not on the page (the first pair always is). Once full, the last key only goes down.
    while (pairs.size() > limit || (pairs.size() > 1 && bytes - size(pairs.lastEntry()) >= maxBytes)) {
      Map.Entry<byte[], Held> last = pairs.pollLastEntry();
      bytes -= size(last);
      more = true;
      dropped.accept(last.getValue().shard());
    }
    return true;
  }

  /** No pair can be added after the last one: the page has its limit, or its bytes. */
  private boolean full() {
    return !pairs.isEmpty() && (pairs.size() >= limit || bytes >= maxBytes);
  }

  /** The largest key on the page of each of {@code shards} that has one. */
  Map<Integer, byte[]> lastKeys(BitSet shards) {
    Map<Integer, byte[]> last = new HashMap<>();
    pairs.forEach((key, held) -> {
      if (shards.get(held.shard())) {
        last.put(held.shard(), key); // ascending: the last put is the largest
      }
    });
    return last;
  }

  KeyRange.Page page() {
    List<KeyRange.Pair> items = new ArrayList<>(pairs.size());
    pairs.forEach((key, held) -> items.add(new KeyRange.Pair(key, held.value(), held.version())));
    return new KeyRange.Page(items, more);
  }

  /** The most pairs held at once. */
  int peakPairs() {
    return peakPairs;
  }

  private static long size(Map.Entry<byte[], Held> pair) {
    return size(pair.getKey(), pair.getValue());
  }

  private static long size(byte[] key, Held held) {
    return key.length + (held.value() == null ? 0 : held.value().length);
  }
}
