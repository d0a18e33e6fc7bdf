package io.kvdb.core.metrics;

import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.process.Supervisor;
import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.follower.ReplicaStore;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.SinkEvents;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Event;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write pipeline's batch size and sync time, and a follower's apply time, as the hooks in
 * WritePipeline and ReplicaStore record them: real LevelDB on both sides, events from the pipeline.
 */
@Timeout(60)
class WriteAndApplyMetersTest {
  private static final int SHARDS = 4;

  @TempDir Path dir;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<Event> published = new ArrayList<>();
  /** Time spent in the committer, as the committer itself measures it. */
  private final AtomicLong committerNanos = new AtomicLong();
  private KvStore leaderStore;
  private KvStore followerStore;
  private WritePipeline pipeline;

  @BeforeEach
  void open() {
    leaderStore = KvStore.open(dir.resolve("leader"), true);
    followerStore = KvStore.open(dir.resolve("follower"), false);
    pipeline = new WritePipeline(leaderStore, new LeaderMetadata("leader-1", 1, SHARDS), 1000, new BacklogPins(),
        events -> {
          synchronized (published) {
            published.addAll(SinkEvents.of(events));
          }
        }, batch -> {
          long started = System.nanoTime();
          leaderStore.write(batch);
          committerNanos.addAndGet(System.nanoTime() - started);
        }, new DiskSpace(dir, "leader", 0), () -> 0L, new WriteMeters(registry), new Supervisor("meters test", status -> {}));
  }

  @AfterEach
  void close() {
    pipeline.close();
    leaderStore.close();
    followerStore.close();
    registry.close();
  }

  @Test
  void eachCommittedBatchRecordsItsWritesAndItsSyncTime() throws Exception {
    for (int i = 0; i < 5; i++) {
      pipeline.put("key-" + i, bytes("v" + i)).get(10, TimeUnit.SECONDS); // one at a time: five batches of one
    }
    String scrape = registry.scrape();
    assertEquals(5, value(scrape, "kvdb_write_batch_size_count"));
    assertEquals(5, value(scrape, "kvdb_write_batch_size_sum"));
    assertEquals(1, value(scrape, "kvdb_write_batch_size_max"));
    assertEquals(5, value(scrape, "kvdb_write_batch_sync_seconds_count"));
    double synced = value(scrape, "kvdb_write_batch_sync_seconds_sum");
    assertTrue(synced > 0 && synced >= committerNanos.get() / 1e9,
        "sync time " + synced + " s covers the committer's " + committerNanos.get() / 1e9 + " s");
    assertTrue(scrape.contains("kvdb_write_batch_sync_seconds_bucket{le=\"1.0E-5\"}"), "a histogram from 10 us");
    assertTrue(scrape.contains("kvdb_write_batch_size_bucket{le=\"1024.0\"} 5"), "a histogram up to 1024 writes");
  }

  @Test
  void aBatchThatWritesNothingIsNotCounted() throws Exception {
    assertFalse(pipeline.delete("missing").get(10, TimeUnit.SECONDS).found());
    assertEquals(0, value(registry.scrape(), "kvdb_write_batch_size_count"));
  }

  @Test
  void aFollowerRecordsTheTimeToApplyEachBatchAndCountsTheEventsItWrote() throws Exception {
    for (int i = 0; i < 6; i++) {
      pipeline.put("key-" + i, bytes("v" + i)).get(10, TimeUnit.SECONDS);
    }
    List<Event> events;
    synchronized (published) {
      events = List.copyOf(published);
    }
    ReplicaStore replica = ReplicaStore.create(followerStore, SHARDS, new ApplyMeters(registry));

    replica.apply(events);
    String scrape = registry.scrape();
    assertEquals(1, value(scrape, "kvdb_follower_apply_seconds_count"));
    assertTrue(value(scrape, "kvdb_follower_apply_seconds_sum") > 0);
    assertEquals(6, value(scrape, "kvdb_follower_events_applied_total"));

    replica.apply(events); // duplicates: applied again, nothing written
    scrape = registry.scrape();
    assertEquals(2, value(scrape, "kvdb_follower_apply_seconds_count"));
    assertEquals(6, value(scrape, "kvdb_follower_events_applied_total"));
    assertTrue(scrape.contains("kvdb_follower_apply_seconds_bucket{le=\"1.0E-5\"}"), "a histogram from 10 us");
  }

  @Test
  void aReplicaOpenedAgainKeepsReportingToItsMeters() throws Exception {
    pipeline.put("k", bytes("v")).get(10, TimeUnit.SECONDS);
    ReplicaStore.create(followerStore, SHARDS);
    ReplicaStore reopened = ReplicaStore.openExisting(followerStore, new ApplyMeters(registry));
    synchronized (published) {
      reopened.apply(List.copyOf(published));
    }
    assertEquals(1, value(registry.scrape(), "kvdb_follower_events_applied_total"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
