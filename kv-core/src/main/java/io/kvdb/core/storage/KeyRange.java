package io.kvdb.core.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Lists keys across shards in global key order (unsigned UTF-8 bytes).
 *
 * <p>Data is stored shard first ({@code 'd' shard key}), so the smallest keys of the whole store
 * may lie in any shard and a page must look into every shard. Merging one cursor per shard would
 * hold one iterator and one pending pair per shard (65,536 at {@code --shards 65536}). Instead a
 * page reads the shards one at a time through a single LevelDB iterator, re-seeked from shard to
 * shard (one open cursor, opened at the first shard listed), and offers their keys in order to a
 * {@link PageSelection}, which keeps the best {@code limit} pairs and so never holds more than
 * {@code limit + 1}. Once the page is full, a shard is left at its first key past the page's last
 * one, since its later keys are larger still.
 *
 * <p>Two rounds keep the reads near what a merge reads. The first reads up to about
 * {@code (limit + 1) / shards} keys of each shard: together enough to fill the page when keys are
 * spread over the shards, so the page's last key is close to its final one. The second resumes only
 * the shards whose keys read so far are all still on the page. Reading each shard to the end of
 * the page in one go instead makes the first shards read a whole page each before the page's end
 * tightens (about {@code limit * ln(shards)} reads).
 */
public final class KeyRange {
  private KeyRange() {}

  /** One page of pairs; {@code hasMore} when more keys match after the last one. */
  public record Page(List<Pair> items, boolean hasMore) {}

  /** A key (UTF-8 bytes), its value (null when keys only were asked) and its version. */
  public record Pair(byte[] key, byte[] value, long version) {
    public String keyString() {
      return new String(key, StandardCharsets.UTF_8);
    }
  }

  /** What a page cost: the most pairs it held at once and the cursors it opened (for tests and benchmarks). */
  static final class Probe {
    int peakPairs;
    int cursorsOpened;
    int shardsSeeked;
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
    return list(store, null, shards, shardFilter, prefix, startAfter, limit, keysOnly, maxBytes);
  }

  /**
   * As above, as of {@code snapshot} (null: now), so that the page agrees with what else is read
   * from the same snapshot (a follower's applied seq of each shard listed).
   */
  public static Page list(KvStore store, StoreSnapshot snapshot, int shards, IntPredicate shardFilter,
      byte[] prefix, byte[] startAfter, int limit, boolean keysOnly, long maxBytes) {
    return list(store, snapshot, shards, shardFilter, prefix, startAfter, limit, keysOnly, maxBytes,
        System.currentTimeMillis());
  }

  /**
   * As above, leaving out the keys expired at {@code nowMs} (wall-clock): a key whose TTL has passed
   * is never listed, even before the leader's delete of it has run.
   */
  public static Page list(KvStore store, StoreSnapshot snapshot, int shards, IntPredicate shardFilter,
      byte[] prefix, byte[] startAfter, int limit, boolean keysOnly, long maxBytes, long nowMs) {
    return page(store, snapshot, shards, shardFilter, prefix, startAfter, limit, keysOnly, maxBytes, nowMs,
        new Probe());
  }

  static Page list(KvStore store, int shards, IntPredicate shardFilter, byte[] prefix, byte[] startAfter,
      int limit, boolean keysOnly, long maxBytes, Probe probe) {
    return page(store, null, shards, shardFilter, prefix, startAfter, limit, keysOnly, maxBytes,
        System.currentTimeMillis(), probe);
  }

  private static Page page(KvStore store, StoreSnapshot snapshot, int shards, IntPredicate shardFilter, byte[] prefix,
      byte[] startAfter, int limit, boolean keysOnly, long maxBytes, long nowMs, Probe probe) {
    // Start each shard at the later of the prefix (inclusive) and startAfter (exclusive).
    boolean afterCursor = startAfter.length > 0 && Arrays.compareUnsigned(startAfter, prefix) >= 0;
    byte[] start = afterCursor ? startAfter : prefix;
    int listed = 0;
    for (int shard = 0; shard < shards; shard++) {
      listed += shardFilter.test(shard) ? 1 : 0;
    }
    if (listed == 0) {
      return new Page(List.of(), false);
    }
    int firstRound = (int) ((limit + 1L + listed - 1) / listed);
    // Shards that may hold more keys for the page: all they read is still on it.
    BitSet unfinished = new BitSet(shards);
    PageSelection page = new PageSelection(limit, maxBytes, keysOnly, unfinished::clear);
    try (ShardReader reader = new ShardReader(store, snapshot, prefix, page, nowMs, probe)) {
      for (int shard = 0; shard < shards; shard++) {
        if (shardFilter.test(shard)) {
          unfinished.set(shard);
          if (reader.read(shard, start, !afterCursor, firstRound) < firstRound) {
            unfinished.clear(shard);
          }
        }
      }
      Map<Integer, byte[]> resumeAfter = page.lastKeys(unfinished);
      for (int shard = unfinished.nextSetBit(0); shard >= 0; shard = unfinished.nextSetBit(shard + 1)) {
        reader.read(shard, resumeAfter.get(shard), false, Integer.MAX_VALUE);
      }
    }
    probe.peakPairs = page.peakPairs();
    return page.page();
  }

  /** Reads shards into a page through one cursor, opened on first use. */
  private static final class ShardReader implements AutoCloseable {
    private final KvStore store;
    private final StoreSnapshot snapshot;
    private final byte[] prefix;
    private final PageSelection page;
    private final long nowMs;
    private final Probe probe;
    private ShardCursor cursor;

    ShardReader(KvStore store, StoreSnapshot snapshot, byte[] prefix, PageSelection page, long nowMs, Probe probe) {
      this.store = store;
      this.snapshot = snapshot;
      this.prefix = prefix;
      this.page = page;
      this.nowMs = nowMs;
      this.probe = probe;
    }

    /**
     * Offers up to {@code max} keys of {@code shard} from {@code from} (skipped unless
     * {@code inclusive}); returns how many the page took before the shard ended or the page refused one.
     */
    int read(int shard, byte[] from, boolean inclusive, int max) {
      if (cursor == null) {
        cursor = store.cursor(shard, from, inclusive, snapshot);
        probe.cursorsOpened++;
      } else {
        cursor.seek(shard, from, inclusive);
      }
      probe.shardsSeeked++;
      int taken = 0;
      // Cursors start at or after the prefix, so the first key outside it ends the shard.
      while (taken < max && cursor.next() && Layout.startsWith(cursor.key(), prefix)) {
        if (StoredValue.isExpired(cursor.expiresAtMs(), nowMs)) {
          continue; // hidden until the leader's delete of it runs; not counted, so the shard reads on
        }
        if (!page.offer(shard, cursor.key(), cursor.value(), cursor.version())) {
          break; // past the full page: so is the rest of this shard
        }
        taken++;
      }
      return taken;
    }

    @Override
    public void close() {
      if (cursor != null) {
        cursor.close();
      }
    }
  }
}
