package io.kvdb.core.follower;

import io.kvdb.core.request.Reads;
import io.kvdb.core.request.RequestValidator;
import io.kvdb.core.request.Statuses;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A follower's read-only API. It serves only shards that are placed on it and caught up: a shard
 * being synced or repaired is FAILED_PRECONDITION, never stale or half-installed data.
 */
public final class FollowerReadService extends FollowerGrpc.FollowerImplBase {
  private final KvStore store;
  private final Supplier<Readable> readable;
  private final Supplier<FollowerStatusResponse> status;
  private final RequestValidator validator;

  /** The shards this follower can answer for now. */
  public record Readable(int shards, IntPredicate live) {}

  public FollowerReadService(KvStore store, Supplier<Readable> readable, Supplier<FollowerStatusResponse> status,
      Limits limits) {
    this.store = store;
    this.readable = readable;
    this.status = status;
    this.validator = new RequestValidator(limits);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    try {
      byte[] key = validator.key(request.getKey());
      Readable now = syncedOrFail();
      int shard = new ShardFunction(now.shards()).shardOf(key);
      if (!now.live().test(shard)) {
        throw Status.FAILED_PRECONDITION.withDescription("shard " + shard + " of this key is not held (or not yet"
            + " synced) on this follower; read it from the leader").asRuntimeException();
      }
      byte[] value = store.get(shard, key).orElseThrow(() -> Reads.notFound(request.getKey()));
      response.onNext(GetResponse.newBuilder().setKey(request.getKey()).setValue(ByteString.copyFrom(value))
          .setShard(shard).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> response) {
    try {
      Readable now = syncedOrFail();
      response.onNext(Reads.list(store, now.shards(), now.live(), validator, request));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
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
    Readable now = readable.get();
    if (now.shards() == 0) {
      throw Status.FAILED_PRECONDITION.withDescription("this follower has not synced with a leader yet")
          .asRuntimeException();
    }
    return now;
  }
}
