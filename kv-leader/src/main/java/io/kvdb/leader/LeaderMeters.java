package io.kvdb.leader;

import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.common.metrics.ProcessMetrics;
import io.kvdb.core.leader.Replicas;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.security.ZapHandler;
import io.kvdb.core.storage.LeaderMetadata;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * The leader's own meters, beside the JVM's, the gRPC timers and the write pipeline's: its run,
 * what it stores, and its followers. Lag is measured here, where the head, each follower's acks
 * and the commit times are all known on one clock; each follower's own /metrics shows its apply
 * time.
 */
final class LeaderMeters {
  private final Replicas replicas;
  private final MultiGauge lagEvents;
  private final MultiGauge lagSeconds;
  /** The followers as last read, so that one scrape reads Membership once. */
  private volatile List<FollowerInfo> followers = List.of();

  private LeaderMeters(MeterRegistry registry, Replicas replicas) {
    this.replicas = replicas;
    lagEvents = MultiGauge.builder("kvdb.replication.lag.events")
        .description("Events a follower has still to apply, over all its shards")
        .register(registry);
    lagSeconds = MultiGauge.builder("kvdb.replication.lag.seconds")
        .description("How long ago a follower's oldest un-applied write was committed (leader clock); 0 when caught up")
        .register(registry);
  }

  /** Registers the leader's meters; those of the followers are read again before each scrape. */
  static void bind(ProcessMetrics metrics, LeaderMetadata metadata, WritePipeline pipeline, Replicas replicas,
      ZapHandler zap) {
    MeterRegistry registry = metrics.registry();
    LeaderMeters meters = new LeaderMeters(registry, replicas);
    metrics.beforeScrape(meters::refresh);
    Gauge.builder("kvdb.followers.alive", () -> meters.followers.stream().filter(FollowerInfo::getAlive).count())
        .description("Followers not declared dead").register(registry);
    Gauge.builder("kvdb.followers.lag.events.max", () -> meters.followers.stream().filter(FollowerInfo::getAlive)
            .mapToLong(FollowerInfo::getLagEvents).max().orElse(0))
        .description("Largest replication lag of a live follower, in events").register(registry);
    FunctionCounter.builder("kvdb.replication.bad.frames", Frames.class, frames -> Frames.droppedFrames())
        .description("Malformed replication frames dropped").register(registry);
    if (zap != null) {
      FunctionCounter.builder("kvdb.replication.handshakes.refused", zap, ZapHandler::refused)
          .description("CURVE handshakes refused: key not authorized").register(registry);
    }
    Gauge.builder("kvdb.leader.epoch", metadata::epoch).description("Epoch of this leader run").register(registry);
    Gauge.builder("kvdb.keys", () -> sumHeads(pipeline, true)).description("Keys stored on the leader")
        .register(registry);
    Gauge.builder("kvdb.writes.committed", () -> sumHeads(pipeline, false)).description("Sum of the shards' head seqs")
        .register(registry);
  }

  private void refresh() {
    List<FollowerInfo> now = replicas.followers();
    followers = now;
    // overwrite: a follower the leader no longer knows loses its series
    lagEvents.register(now.stream().map(f -> MultiGauge.Row.of(Tags.of("follower", f.getId()), f.getLagEvents()))
        .toList(), true);
    lagSeconds.register(now.stream().map(f -> MultiGauge.Row.of(Tags.of("follower", f.getId()), f.getLagMs() / 1000.0))
        .toList(), true);
  }

  private static long sumHeads(WritePipeline pipeline, boolean keys) {
    long sum = 0;
    for (int shard = 0; shard < pipeline.shards(); shard++) {
      sum += keys ? pipeline.head(shard).keys() : pipeline.head(shard).seq();
    }
    return sum;
  }
}
