package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A watch that survives the leader going away: when the stream ends or the leader is unreachable,
 * it watches again from the last revision it saw (an event's, or a progress notification's), so the
 * listener gets every change once. It gives up after {@code reconnectFor} without a stream.
 */
final class Watches {
  private static final long PAUSE_MS = 200;

  private Watches() {}

  static long run(Calls calls, WatchRequest request, Duration reconnectFor, Predicate<WatchResponse> listener) {
    long last = request.getFromRevision();
    long failingSince = 0;
    while (true) {
      try (Stream<WatchResponse> stream = calls.serverStream(KVGrpc.getWatchMethod(),
          request.toBuilder().setFromRevision(last).build())) {
        for (Iterator<WatchResponse> it = stream.iterator(); it.hasNext(); ) {
          WatchResponse message = it.next();
          failingSince = 0;
          long revision = message.hasEvent() ? message.getEvent().getRevision() : message.getProgress().getRevision();
          // A watch from now (0) resumes from the first revision it is told: the stream starts with it.
          if (revision > 0) {
            last = revision;
          }
          if (!listener.test(message)) {
            return last;
          }
        }
      } catch (KvException e) {
        if (e.code() != Status.Code.UNAVAILABLE && e.code() != Status.Code.CANCELLED) {
          throw e;
        }
        long now = System.nanoTime();
        failingSince = failingSince == 0 ? now : failingSince;
        if (now - failingSince > reconnectFor.toNanos()) {
          throw e;
        }
      }
      try {
        Thread.sleep(PAUSE_MS); // before reconnecting: the leader is restarting or the stream was cut
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
  }
}
