package io.kvdb.core.dump;

import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.BackupRequest;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.core.leader.ClusterService;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * The leader's Cluster.Backup: every shard from one LevelDB snapshot (each shard's data, seq,
 * epoch and digest at one point), streamed as a shard dump with the leader's id, shard count and
 * epoch in its header.
 */
public final class LeaderBackup implements ClusterService.Backups {
  private final KvStore store;
  private final LeaderMetadata leader;
  private final Executor executor;
  private final AtomicLong ids = new AtomicLong();

  /** Reads {@code store} of {@code leader}; the chunks are read on {@code executor}. */
  public LeaderBackup(KvStore store, LeaderMetadata leader, Executor executor) {
    this.store = store;
    this.leader = leader;
    this.executor = executor;
  }

  @Override
  public void serve(BackupRequest request, StreamObserver<DumpMessage> response) {
    ShardDumpReader reader;
    try {
      reader = new ShardDumpReader(store, store.snapshot(),
          new DumpOrigin(leader.leaderId(), leader.shards(), leader.epoch()),
          IntStream.range(0, leader.shards()).boxed().toList(), request.getChunkBytes());
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
      return;
    }
    DumpStreamer.serve(reader, response, executor, "backup " + ids.incrementAndGet());
  }
}
