package io.kvdb.core.watch;

import io.kvdb.common.config.Flags;

/**
 * The leader's watch limits.
 *
 * @param historyEvents changes kept in memory to resume watches from (--watch-history-events)
 * @param queueEvents changes queued unsent per watcher before it is cancelled WATCH_TOO_SLOW
 *     (--watch-queue-events)
 * @param progressMs idle time after which a watcher gets a progress notification (--watch-progress-ms)
 */
public record WatchOptions(int historyEvents, int queueEvents, long progressMs) {
  public static final WatchOptions DEFAULT = new WatchOptions(10_000, 1_000, 1_000);
  /** Committed batches waiting for the dispatcher before they are dropped (and every watcher ended). */
  public static final int INBOUND_BATCHES = 4_096;

  public WatchOptions {
    if (historyEvents < 1 || queueEvents < 1 || progressMs < 1) {
      throw new IllegalArgumentException("watch history, queue and progress interval must be >= 1: " + historyEvents
          + ", " + queueEvents + ", " + progressMs);
    }
  }

  public static Flags declareFlags(Flags flags) {
    return flags
        .declare("watch-history-events", Integer.toString(DEFAULT.historyEvents()), "changes kept in memory for"
            + " watches to resume from; an older revision gets WATCH_COMPACTED")
        .declare("watch-queue-events", Integer.toString(DEFAULT.queueEvents()), "changes queued unsent per watcher;"
            + " past that it is cancelled WATCH_TOO_SLOW")
        .declare("watch-progress-ms", Long.toString(DEFAULT.progressMs()), "an idle watch gets a progress"
            + " notification with the current revision this often");
  }

  public static WatchOptions fromFlags(Flags flags) {
    return new WatchOptions(flags.integer("watch-history-events"), flags.integer("watch-queue-events"),
        flags.longValue("watch-progress-ms"));
  }
}
