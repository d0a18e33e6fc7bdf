package io.kvdb.follower;

import io.kvdb.core.follower.FollowerView;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.storage.KvStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The follower's own gauges, read from the view the replication thread publishes. Beside them: the
 * JVM's meters, the gRPC timers and the apply time ({@code ApplyMeters}, fed by the ReplicaStore).
 */
final class FollowerMeters {
  private FollowerMeters() {}

  static void bind(MeterRegistry registry, AtomicReference<FollowerView> view, KvStore store) {
    Gauge.builder("kvdb.follower.shards.assigned", () -> view.get().assigned().size())
        .description("Shards placed on this follower").register(registry);
    Gauge.builder("kvdb.follower.shards.live", () -> view.get().live().size())
        .description("Assigned shards caught up and served").register(registry);
    Gauge.builder("kvdb.follower.shards.readable", () -> view.get().readable().size())
        .description("Shards held as complete copies, live or not: served to stale reads").register(registry);
    Gauge.builder("kvdb.follower.applied", () ->
            view.get().assigned().stream().mapToLong(shard -> store.shardState(shard).seq()).sum())
        .description("Sum of applied seqs over assigned shards").register(registry);
    FunctionCounter.builder("kvdb.replication.bad.frames", Frames.class, frames -> Frames.droppedFrames())
        .description("Malformed replication frames dropped").register(registry);
  }
}
