package io.kvdb.core.leader;

import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The leader's keys with a TTL, by deadline: what the writer thread must delete and when. Owned by
 * the writer thread alone (no lock). An entry names the version that expires; a later write of the
 * key leaves the old entry in place, and its delete, conditional on that version, then changes
 * nothing. Rebuilt from storage at start, so TTLs survive a restart, a rebuild and a restore.
 */
final class ExpiryIndex {
  /** A key's version that expires at {@code atMs} (wall-clock). */
  record Due(long atMs, String key, long version) {}

  private final PriorityQueue<Due> byDeadline = new PriorityQueue<>((a, b) -> Long.compare(a.atMs, b.atMs));

  /** The keys of {@code store} that have a TTL. */
  static ExpiryIndex load(KvStore store, int shards) {
    ExpiryIndex index = new ExpiryIndex();
    for (int shard = 0; shard < shards; shard++) {
      try (ShardCursor cursor = store.cursor(shard, new byte[0], true, null)) {
        while (cursor.next()) {
          long atMs = cursor.expiresAtMs();
          if (atMs != 0) {
            index.add(atMs, new String(cursor.key(), StandardCharsets.UTF_8), cursor.version());
          }
        }
      }
    }
    return index;
  }

  void add(long atMs, String key, long version) {
    byDeadline.add(new Due(atMs, key, version));
  }

  /** Removes and returns up to {@code max} entries whose deadline is {@code nowMs} or earlier. */
  List<Due> takeDue(long nowMs, int max) {
    List<Due> due = new ArrayList<>();
    while (due.size() < max && !byDeadline.isEmpty() && byDeadline.peek().atMs() <= nowMs) {
      due.add(byDeadline.poll());
    }
    return due;
  }

  int size() {
    return byDeadline.size();
  }
}
