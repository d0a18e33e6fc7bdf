package io.kvdb.core.watch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The watch history a leader run starts with, read from the shards' replication backlogs: the last
 * changes of the previous runs, so a watch resumes across a restart. Every change with a revision
 * above {@code compactedBelow} is in {@code events} (lowest first); {@link WatchHub#UNKNOWN} when a
 * shard with writes has no backlog (a migrated data dir): then no earlier revision resumes.
 * {@code runFloor} lies below every revision the new run issues (its first one, less one): where a
 * watch of a run with no change yet starts, so that a resume from it loses nothing.
 */
public record WatchStart(List<WatchEvent> events, long compactedBelow, long runFloor) {
  /**
   * Reads up to {@code historyEvents} changes per shard, keeps the last {@code historyEvents} of
   * all; {@code runFloor} is the new run's first revision less one.
   */
  public static WatchStart read(KvStore store, int shards, int historyEvents, long runFloor) {
    List<WatchEvent> events = new ArrayList<>();
    long complete = 0;
    for (int shard = 0; shard < shards; shard++) {
      long head = store.shardState(shard).seq();
      if (head == 0) {
        continue;
      }
      long from = Math.max(1, head - historyEvents + 1);
      long[] firstSeq = {0};
      long[] firstRevision = {0};
      store.forEachLog(shard, from, (seq, bytes) -> {
        try {
          WatchEvent event = WatchHub.change(Event.parseFrom(bytes));
          if (firstSeq[0] == 0) {
            firstSeq[0] = seq;
            firstRevision[0] = event.getRevision();
          }
          events.add(event);
        } catch (InvalidProtocolBufferException e) {
          events.clear(); // an unreadable backlog: start as if it had none
          firstSeq[0] = -1;
          return false;
        }
        return true;
      });
      if (firstSeq[0] <= 0 || firstRevision[0] <= 0) {
        return new WatchStart(List.of(), WatchHub.UNKNOWN, runFloor);
      }
      if (firstSeq[0] > 1) { // the shard's earlier changes are not here: they are all below its first
        complete = Math.max(complete, firstRevision[0] - 1);
      }
    }
    events.sort(Comparator.comparingLong(WatchEvent::getRevision));
    long completeAbove = complete;
    long below = complete;
    List<WatchEvent> kept = new ArrayList<>(events.stream().filter(e -> e.getRevision() > completeAbove).toList());
    if (kept.size() > historyEvents) {
      below = kept.get(kept.size() - historyEvents - 1).getRevision();
      kept = new ArrayList<>(kept.subList(kept.size() - historyEvents, kept.size()));
    }
    return new WatchStart(kept, below, runFloor);
  }
}
