package io.kvdb.core.follower;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerSnapshotRequest;
import io.kvdb.core.dump.DumpOrigin;
import io.kvdb.core.dump.DumpStreamer;
import io.kvdb.core.dump.ShardDumpReader;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A follower's Follower.Snapshot: the shards asked for, as a shard dump read from one LevelDB
 * snapshot of its replica, for a leader rebuilt from its followers. Only complete copies: the
 * shards of the read view's readable set (live or not: the leader may be gone), the same copies a
 * stale read is served from. A shard that is not one is FAILED_PRECONDITION, naming it.
 */
public final class FollowerSnapshots {
  private final KvStore store;
  private final Supplier<FollowerView> view;
  private final Executor executor;
  private final AtomicLong ids = new AtomicLong();

  public FollowerSnapshots(KvStore store, Supplier<FollowerView> view, Executor executor) {
    this.store = store;
    this.view = view;
    this.executor = executor;
  }

  public void serve(FollowerSnapshotRequest request, StreamObserver<DumpMessage> response) {
    ShardDumpReader reader;
    FollowerView before = view.get();
    StoreSnapshot snapshot = store.snapshot();
    try {
      // A shard leaves the view before its data is touched: readable before and after the snapshot,
      // with no withdrawal in between, the snapshot holds the complete copy the view vouches for.
      FollowerView now = view.get();
      Set<Integer> complete = now.withdrawals() == before.withdrawals() ? now.readable() : Set.of();
      int shards = ReplicaStore.shardCountIn(snapshot);
      String leaderId = ReplicaStore.syncedLeaderIdIn(snapshot);
      if (shards == 0 || leaderId.isEmpty()) {
        throw Status.FAILED_PRECONDITION.withDescription("this follower holds no copy: it never synced with a leader")
            .asRuntimeException();
      }
      List<Integer> asked = new ArrayList<>(request.getShardsList());
      if (asked.isEmpty()) {
        for (int shard = 0; shard < shards; shard++) {
          if (complete.contains(shard)) {
            asked.add(shard);
          }
        }
      }
      for (int shard : asked) {
        if (shard >= shards) {
          throw Status.INVALID_ARGUMENT.withDescription("shard " + shard + " does not exist (" + shards + " shards)")
              .asRuntimeException();
        }
        if (!complete.contains(shard)) {
          throw Status.FAILED_PRECONDITION.withDescription("shard " + shard + " is not a complete copy on follower "
              + now.id() + " (not held, being installed or re-synced; see its readable_shards)").asRuntimeException();
        }
      }
      reader = new ShardDumpReader(store, snapshot, new DumpOrigin(leaderId, shards, now.leaderEpoch()), asked,
          request.getChunkBytes());
    } catch (RuntimeException e) {
      snapshot.close();
      response.onError(Statuses.of(e));
      return;
    }
    DumpStreamer.serve(reader, response, executor, "snapshot " + ids.incrementAndGet());
  }
}
