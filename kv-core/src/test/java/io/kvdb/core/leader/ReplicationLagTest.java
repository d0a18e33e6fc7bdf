package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.api.v1.LagSummary;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ShardPosition;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording rule of {@code kv_replication_lag_ms}, on an injected leader clock: one sample
 * per live shard an ack advances, of the ack's arrival minus the commit time of the newest write
 * it acknowledges there; none for an ack that advances nothing or for a shard still syncing; and
 * Cluster.Status's summary keeps only the last minute.
 */
class ReplicationLagTest {
  private static final int SHARDS = 4;
  private static final long DEAD_MS = 600_000;

  @TempDir Path dir;
  private KvStore store;
  private ScheduledExecutorService timer;
  private WritePipeline pipeline;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecentCommits recent = new RecentCommits(SHARDS);
  /** The leader's monotonic clock, in ms. */
  private long now = 10_000;
  private Membership membership;
  private ReplicationLag lag;
  private Assignment assignment;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
    timer = Executors.newSingleThreadScheduledExecutor();
    pipeline = PipelineFixture.pipeline(store, SHARDS, 1, () -> now);
    membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 1, DEAD_MS, timer, now);
    lag = new ReplicationLag(recent, pipeline.commitTimes(), registry, () -> now);
    membership.hello("a", "a:1", List.of(), now);
    assignment = membership.tick(now).get("a");
    ack(new long[SHARDS], List.of()); // every shard live, at seq 0
  }

  @AfterEach
  void close() {
    pipeline.close();
    timer.shutdownNow();
    store.close();
  }

  @Test
  void oneSamplePerShardAdvancedOfTheNewestWriteItAcknowledges() throws Exception {
    now = 20_000;
    recent.published(0, 1, 20_000);
    now = 20_004;
    recent.published(0, 2, 20_004);
    recent.published(1, 1, 20_004);
    now = 20_010;
    ack(new long[] {2, 1, 0, 0}, List.of());
    assertSamples(2, 12, 6, "shard 0 up to seq 2 (committed at 20004) and shard 1: 6 ms each");

    now = 20_050;
    ack(new long[] {2, 1, 0, 0}, List.of());
    assertEquals(2, meter().count(), "an ack that advances nothing (a heartbeat ack) is no sample");
  }

  @Test
  void aCommitTimeNoLongerInMemoryIsReadFromTheBacklog() throws Exception {
    now = 30_000;
    Committed put = await(pipeline.put("some-key", "v".getBytes(StandardCharsets.UTF_8))); // not published
    now = 30_250;
    long[] applied = new long[SHARDS];
    applied[put.shard()] = put.seq();
    ack(applied, List.of());
    assertSamples(1, 250, 250, "committed at 30000 as the backlog says, acked at 30250");
  }

  @Test
  void aShardThatIsOrWasJustSyncingGivesNoSample() {
    recent.published(3, 5, now);
    now += 100;
    ack(new long[] {0, 0, 0, 5}, List.of(3)); // shard 3 still syncing
    now += 100;
    ack(new long[] {0, 0, 0, 6}, List.of()); // live now, but was syncing in the ack before
    assertEquals(0, meter().count(), "catching up is not replication lag");
    recent.published(3, 7, now);
    now += 3;
    ack(new long[] {0, 0, 0, 7}, List.of());
    assertSamples(1, 3, 3, "seq 7, live in both acks");
  }

  @Test
  void theSummaryKeepsTheLastMinute() {
    for (int seq = 1; seq <= 100; seq++) {
      recent.published(0, seq, now);
      now += seq; // the lag of seq n is n ms
      ack(new long[] {seq, 0, 0, 0}, List.of());
    }
    LagSummary summary = lag.summary();
    assertEquals(100, summary.getCount());
    assertEquals(50, summary.getP50Ms());
    assertEquals(99, summary.getP99Ms());
    assertEquals(100, summary.getP999Ms());
    assertEquals(100, summary.getMaxMs());
    assertEquals(60, summary.getWindowSeconds());

    now += 61_000;
    recent.published(0, 101, now);
    now += 7;
    ack(new long[] {101, 0, 0, 0}, List.of());
    summary = lag.summary();
    assertEquals(1, summary.getCount(), "samples of more than a minute ago are gone");
    assertEquals(7, summary.getMaxMs());
    assertEquals(101, meter().count(), "the histogram on /metrics keeps counting");
    now += 61_000;
    assertEquals(LagSummary.newBuilder().setWindowSeconds(60).build(), lag.summary(), "none in the last minute");
  }

  private void ack(long[] applied, List<Integer> syncing) {
    Ack.Builder ack = Ack.newBuilder().setFollowerId("a").setAssignmentVersion(assignment.getVersion())
        .addAllSyncingShards(syncing);
    for (int shard : assignment.getShardsList()) {
      ack.addPositions(ShardPosition.newBuilder().setShard(shard).setAppliedSeq(applied[shard]).setAppliedEpoch(1));
    }
    membership.ack(ack.build(), now, lag);
  }

  private DistributionSummary meter() {
    DistributionSummary meter = registry.find(ReplicationLag.METRIC).tag("follower", "a").summary();
    return meter != null ? meter : DistributionSummary.builder("none").register(new SimpleMeterRegistry());
  }

  private void assertSamples(long count, double total, double max, String why) {
    DistributionSummary meter = meter();
    assertEquals(count, meter.count(), why);
    assertEquals(total, meter.totalAmount(), 0.0, why);
    assertEquals(max, meter.max(), 0.0, why);
  }
}
