package io.kvdb.core.leader;

import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Helpers shared by the pipeline tests: keys of a chosen shard, and waiting on replies. */
final class PipelineFixture {
  static final int SHARDS = 8;
  static final ShardFunction SHARD_OF = new ShardFunction(SHARDS);
  static final String LEADER_ID = "leader-under-test";
  /** Supervises the writers of these tests; a death is logged, and the JVM goes on. */
  static final Supervisor SUPERVISOR = new Supervisor("pipeline test", status -> {});

  private PipelineFixture() {}

  static WritePipeline pipeline(KvStore store, long epoch, int backlog, BacklogPins pins, EventSink sink,
      WritePipeline.BatchCommitter committer) {
    return new WritePipeline(store, leader(epoch), backlog, pins, sink, committer, anyDisk(store), () -> 1_000L,
        PipelineMetrics.NONE, SUPERVISOR);
  }

  /** A pipeline whose disk has {@code freeBytes[0]} bytes free and keeps {@code reserveBytes}. */
  static WritePipeline pipeline(KvStore store, long reserveBytes, long[] freeBytes) {
    return new WritePipeline(store, leader(1), 1000, new BacklogPins(), EventSink.NONE, store::write,
        new DiskSpace(store.dir(), "leader", reserveBytes, () -> freeBytes[0]), () -> 1_000L, PipelineMetrics.NONE, SUPERVISOR);
  }

  /** A pipeline over {@code shards} shards in {@code epoch}, with events stamped by {@code clockMs}. */
  static WritePipeline pipeline(KvStore store, int shards, long epoch, LongSupplier clockMs) {
    return new WritePipeline(store, new LeaderMetadata(LEADER_ID, epoch, shards), 1000, new BacklogPins(),
        EventSink.NONE, store::write, anyDisk(store), clockMs, PipelineMetrics.NONE, SUPERVISOR);
  }

  /** The leader {@link #LEADER_ID} in {@code epoch}, over {@link #SHARDS} shards. */
  static LeaderMetadata leader(long epoch) {
    return new LeaderMetadata(LEADER_ID, epoch, SHARDS);
  }

  /** A disk with no reserve: it refuses nothing while there is room at all. */
  static DiskSpace anyDisk(KvStore store) {
    return new DiskSpace(store.dir(), "leader", 0);
  }

  static WritePipeline pipeline(KvStore store) {
    return pipeline(store, 1, 1000, new BacklogPins(), EventSink.NONE, store::write);
  }

  /** {@code count} distinct keys that all fall in {@code shard}. */
  static List<String> keysInShard(int shard, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      String key = "key-" + i;
      if (SHARD_OF.shardOf(key) == shard) {
        keys.add(key);
      }
    }
    return keys;
  }

  static Committed await(CompletableFuture<Committed> reply) throws Exception {
    return reply.get(10, TimeUnit.SECONDS);
  }
}
