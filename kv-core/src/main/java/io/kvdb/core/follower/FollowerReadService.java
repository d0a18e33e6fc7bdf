package io.kvdb.core.follower;

import io.kvdb.core.request.Reads;
import io.kvdb.core.request.RequestValidator;
import io.kvdb.core.request.Statuses;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerSnapshotRequest;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.core.config.Limits;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreSnapshot;
import io.kvdb.core.storage.StoredValue;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A follower's read-only API. By default it serves only shards that are placed on it and live (in
 * sync with a live leader); a read with {@code allow_stale} is also served from a shard that is a
 * complete copy but not live (the leader was lost, or this follower restarted and has not synced
 * yet). Anything else (a shard being installed, wiped, behind a known gap) is FAILED_PRECONDITION:
 * never half-installed data. Every reply says which copy it read: its applied seq, and whether it
 * is stale, read from the same LevelDB snapshot as the data.
 */
public final class FollowerReadService extends FollowerGrpc.FollowerImplBase {
  private final KvStore store;
  private final Supplier<Readable> readable;
  private final Supplier<FollowerStatusResponse> status;
  /** Null when this follower serves no snapshots (tests of the reads alone). */
  private final FollowerSnapshots snapshots;

  /** A read that found its shard's view changed this many times in a row gives up. */
  private static final int READ_ATTEMPTS = 3;

  /**
   * The shards this follower can answer for now.
   *
   * @param live shards in sync with a live leader: served to every read
   * @param readable complete copies, live or not (live is a subset): served to reads that allow stale answers
   * @param withdrawals how many times a shard has left the live or the readable set (see
   *     {@link FollowerView#withdrawals()})
   * @param limits what a request may carry: the leader's limits, so that every key it stored can be read
   */
  public record Readable(int shards, IntPredicate live, IntPredicate readable, long withdrawals, Limits limits) {
    /** A view with the default limits, whose withdrawals are not counted: reads check only that their shard is still live. */
    public Readable(int shards, IntPredicate live) {
      this(shards, live, live, 0, Limits.DEFAULT);
    }

    /** A view without stale copies: only live shards are readable. */
    public Readable(int shards, IntPredicate live, long withdrawals, Limits limits) {
      this(shards, live, live, withdrawals, limits);
    }

    /** The shards a read may use: the readable ones if it allows stale answers, else the live ones. */
    IntPredicate served(boolean allowStale) {
      return allowStale ? readable : live;
    }
  }

  public FollowerReadService(KvStore store, Supplier<Readable> readable, Supplier<FollowerStatusResponse> status) {
    this(store, readable, status, null);
  }

  /** As above, serving Follower.Snapshot through {@code snapshots}. */
  public FollowerReadService(KvStore store, Supplier<Readable> readable, Supplier<FollowerStatusResponse> status,
      FollowerSnapshots snapshots) {
    this.store = store;
    this.readable = readable;
    this.status = status;
    this.snapshots = snapshots;
  }

  @Override
  public void snapshot(FollowerSnapshotRequest request, StreamObserver<DumpMessage> response) {
    if (snapshots == null) {
      response.onError(Status.UNIMPLEMENTED.withDescription("this follower serves no snapshots").asRuntimeException());
      return;
    }
    snapshots.serve(request, response);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    try {
      boolean allowStale = request.getAllowStale();
      int shard = -1;
      for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        Readable before = readable.get();
        byte[] key = new RequestValidator(before.limits()).key(request.getKey());
        synced(before);
        shard = new ShardFunction(before.shards()).shardOf(key);
        if (!before.served(allowStale).test(shard)) {
          throw Status.FAILED_PRECONDITION.withDescription("shard " + shard + " of this key " + notServed(allowStale))
              .asRuntimeException();
        }
        Optional<StoredValue> value;
        ShardState state;
        try (StoreSnapshot snapshot = store.snapshot()) {
          value = store.get(shard, key, snapshot);
          state = snapshot.shardState(shard);
        }
        // The shard leaves the view before its data is dropped: if it is still there, with no
        // withdrawal in between, what was read is what the view vouches for. Otherwise look again.
        Readable after = readable.get();
        if (after.withdrawals() == before.withdrawals() && after.served(allowStale).test(shard)) {
          boolean stale = !before.live().test(shard) || !after.live().test(shard);
          long nowMs = System.currentTimeMillis();
          // A follower never deletes an expired key itself (the leader's delete will come): it hides it.
          StoredValue found = value.filter(stored -> !stored.expiredAt(nowMs))
              .orElseThrow(() -> Reads.notFound(request.getKey(), state.seq(), stale));
          response.onNext(GetResponse.newBuilder().setKey(request.getKey())
              .setValue(ByteString.copyFrom(found.value())).setVersion(found.version())
              .setTtlRemainingMs(found.remainingMs(nowMs)).setShard(shard).setAppliedSeq(state.seq()).setStale(stale).build());
          response.onCompleted();
          return;
        }
      }
      throw Status.FAILED_PRECONDITION.withDescription("shard " + shard + " of this key is being re-synced on this"
          + " follower; read it from the leader").asRuntimeException();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  /**
   * A page of the shards asked for (every shard served, if none), with each shard's applied seq
   * read from the same snapshot as the page's pairs.
   */
  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> response) {
    try {
      boolean allowStale = request.getAllowStale();
      for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        Readable before = synced(readable.get());
        BitSet listed = Reads.listedShards(request.getShardsList(), before.shards(), before.served(allowStale),
            notServed(allowStale));
        ListResponse.Builder page;
        ShardSeq[] seqs = new ShardSeq[listed.cardinality()];
        try (StoreSnapshot snapshot = store.snapshot()) {
          page = Reads.list(store, snapshot, before.shards(), listed, new RequestValidator(before.limits()), request)
              .toBuilder();
          int i = 0;
          for (int shard = listed.nextSetBit(0); shard >= 0; shard = listed.nextSetBit(shard + 1)) {
            seqs[i++] = ShardSeq.newBuilder().setShard(shard).setSeq(snapshot.shardState(shard).seq()).build();
          }
        }
        Readable after = readable.get();
        if (after.withdrawals() == before.withdrawals()
            && listed.stream().allMatch(shard -> after.served(allowStale).test(shard))) {
          boolean stale = listed.stream().anyMatch(shard -> !before.live().test(shard) || !after.live().test(shard));
          response.onNext(page.addAllAppliedSeqs(List.of(seqs)).setStale(stale).build());
          response.onCompleted();
          return;
        }
      }
      throw Status.FAILED_PRECONDITION.withDescription("the shards listed are being re-synced on this follower;"
          + " list them from the leader").asRuntimeException();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  /** Why a shard is refused: what the follower would need to serve it. */
  private static String notServed(boolean allowStale) {
    return allowStale
        ? "has no complete copy on this follower (not held, being installed, or behind a known gap); read it from"
            + " another copy"
        : "is not held (or not yet synced) on this follower; read it from the leader";
  }

  @Override
  public void status(FollowerStatusRequest request, StreamObserver<FollowerStatusResponse> response) {
    response.onNext(status.get());
    response.onCompleted();
  }

  @Override
  public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
    try {
      Readable now = syncedOrFail();
      ShardDigestsRequest asked = request;
      if (request.getShardsCount() == 0) {
        ShardDigestsRequest.Builder held = ShardDigestsRequest.newBuilder();
        for (int shard = 0; shard < now.shards(); shard++) {
          if (now.live().test(shard)) {
            held.addShards(shard);
          }
        }
        asked = held.build();
        if (asked.getShardsCount() == 0) {
          response.onNext(ShardDigestsResponse.getDefaultInstance());
          response.onCompleted();
          return;
        }
      }
      response.onNext(Reads.digests(asked, now.shards(), store::shardState));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  private Readable syncedOrFail() {
    return synced(readable.get());
  }

  private static Readable synced(Readable now) {
    if (now.shards() == 0) {
      throw Status.FAILED_PRECONDITION.withDescription("this follower has not synced with a leader yet")
          .asRuntimeException();
    }
    return now;
  }
}
