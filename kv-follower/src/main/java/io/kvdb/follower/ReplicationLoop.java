package io.kvdb.follower;

import io.kvdb.core.follower.DataFrame;
import io.kvdb.core.follower.FollowerSync;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The body of the follower's replication thread ("kv-replica"): waits for input on the link to the
 * leader, hands it to the sync, and sends what the sync asks for. Every write to the data dir
 * happens on this thread, inside the sync. An exception ends the thread: it is started through the
 * process's {@link io.kvdb.core.process.Supervisor}, which takes the follower out of service.
 */
final class ReplicationLoop implements Runnable {
  /** PUB messages handed to the sync at once: their live events are applied in one batch. */
  private static final int MAX_DRAIN = 10_000;

  private final LeaderLink link;
  private final FollowerSync sync;
  private final LongSupplier clockMs;
  private volatile boolean running = true;

  ReplicationLoop(LeaderLink link, FollowerSync sync, LongSupplier clockMs) {
    this.link = link;
    this.sync = sync;
    this.clockMs = clockMs;
  }

  @Override
  public void run() {
    try {
      while (running) {
        link.poll(sync.pollIntervalMs());
        if (link.controlReady()) {
          byte[] frame;
          while ((frame = link.nextControl()) != null) {
            sync.onControl(frame);
            // Each catch-up reply is answered by the next request, so replies can keep this loop
            // busy for seconds: the timer runs between them, or no ack (the leader's liveness
            // signal) goes out meanwhile and the leader declares a follower that is catching up dead.
            sync.onTimer();
            link.flush(sync.outbox());
          }
        }
        if (link.dataReady()) {
          List<DataFrame> frames = new ArrayList<>();
          DataFrame frame;
          while (frames.size() < MAX_DRAIN && (frame = link.nextData()) != null) {
            frames.add(frame);
          }
          sync.onData(frames);
          link.flush(sync.outbox());
        }
        link.reconnectIfRefused(clockMs.getAsLong());
        sync.onTimer();
        link.flush(sync.outbox());
      }
    } finally {
      link.close();
    }
  }

  void stop() {
    running = false;
  }
}
