package io.kvdb.core.leader;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.config.BatchLimits;
import io.kvdb.core.config.Limits;
import io.kvdb.core.request.Reads;
import io.kvdb.core.request.RequestValidator;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.security.SessionAuth;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.core.watch.GrpcWatch;
import io.kvdb.core.watch.WatchHub;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntPredicate;

/**
 * The leader's KV API: validates, then writes through the {@link WritePipeline} and reads from the
 * store; every failure is answered through {@link Statuses}. Calls are cheap enough to run on the gRPC transport's own threads (the leader serves with a
 * direct executor): writes only queue and complete on the pipeline's reply thread, a Get is one LevelDB
 * read. List pages, which read up to {@link Reads#MAX_PAGE_BYTES}, run on {@code listExecutor} instead.
 * A Session stream ({@link SessionStream}) runs each of its requests through the same methods as
 * the unary calls.
 */
public final class KvService extends KVGrpc.KVImplBase {
  private static final IntPredicate ALL_SHARDS = shard -> true;

  private final KvStore store;
  private final ShardFunction shardFunction;
  private final WritePipeline pipeline;
  private final Replicas replicas;
  private final RequestValidator validator;
  private final long defaultAckTimeoutMs;
  private final Executor listExecutor;
  private final BatchCalls batches;
  private final WatchHub watches;

  /** As the full constructor, with the default batch limits. */
  public KvService(KvStore store, ShardFunction shardFunction, WritePipeline pipeline, Replicas replicas,
      Limits limits, long defaultAckTimeoutMs, Executor listExecutor) {
    this(store, shardFunction, pipeline, replicas, limits, BatchLimits.DEFAULT, defaultAckTimeoutMs, listExecutor, null);
  }

  /** Serves Watch from {@code watches} (null: Watch is UNIMPLEMENTED). */
  public KvService(KvStore store, ShardFunction shardFunction, WritePipeline pipeline, Replicas replicas,
      Limits limits, BatchLimits batchLimits, long defaultAckTimeoutMs, Executor listExecutor, WatchHub watches) {
    this.watches = watches;
    this.store = store;
    this.shardFunction = shardFunction;
    this.pipeline = pipeline;
    this.replicas = replicas;
    this.validator = new RequestValidator(limits);
    this.defaultAckTimeoutMs = defaultAckTimeoutMs;
    this.listExecutor = listExecutor;
    this.batches = new BatchCalls(pipeline, validator, batchLimits);
  }

  @Override
  public void put(PutRequest request, StreamObserver<WriteResponse> response) {
    reply(put(request, Context.current()), response);
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<WriteResponse> response) {
    reply(delete(request, Context.current()), response);
  }

  @Override
  public void batch(BatchRequest request, StreamObserver<BatchResponse> response) {
    reply(batches.batch(request), response);
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<WatchResponse> response) {
    if (watches == null) {
      super.watch(request, response);
    } else {
      GrpcWatch.start(watches, request, response);
    }
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    try {
      response.onNext(get(request));
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(Statuses.of(e));
    }
  }

  @Override
  public StreamObserver<SessionRequest> session(StreamObserver<SessionReply> replies) {
    return SessionStream.open(this, (ServerCallStreamObserver<SessionReply>) replies, SessionAuth.current());
  }

  /**
   * A put, as both the unary call and a Session request run it; {@code call} is cancelled when its
   * caller gives up (which frees an ack wait). A request that fails validation fails the future.
   */
  CompletableFuture<WriteResponse> put(PutRequest request, Context call) {
    try {
      validator.key(request.getKey());
      validator.value(request.getValue().size());
      validator.minAcks(request.getWait().getMinAcks(), replicas.replicationFactor());
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    long expiresAtMs;
    try {
      expiresAtMs = Ttl.expiresAtMs(request.hasTtlSeconds(), request.getTtlSeconds(), pipeline.wallClockMs());
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Long expected = request.hasExpectedVersion() ? request.getExpectedVersion() : null;
    return pipeline.put(request.getKey(), request.getValue().toByteArray(), expected, expiresAtMs).thenCompose(committed -> {
      if (committed.conflict()) {
        throw mismatch(request.getKey(), request.getExpectedVersion(), committed.version());
      }
      return withAcks(committed, request.getWait(), call);
    });
  }

  /** A delete, as {@link #put(PutRequest, Context)}; a missing key fails it with NOT_FOUND. */
  CompletableFuture<WriteResponse> delete(DeleteRequest request, Context call) {
    try {
      validator.key(request.getKey());
      validator.minAcks(request.getWait().getMinAcks(), replicas.replicationFactor());
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    Long expected = request.hasExpectedVersion() ? request.getExpectedVersion() : null;
    return pipeline.delete(request.getKey(), expected).thenCompose(committed -> {
      if (committed.conflict()) {
        throw mismatch(request.getKey(), request.getExpectedVersion(), committed.version());
      }
      if (!committed.found()) {
        throw Reads.notFound(request.getKey());
      }
      return withAcks(committed, request.getWait(), call);
    });
  }

  private static StatusRuntimeException mismatch(String key, long expected, long current) {
    return ErrorReasons.versionMismatch("version mismatch on " + Reads.abbreviate(key) + ": expected version "
        + Long.toUnsignedString(expected) + ", current version " + current + (current == 0 ? " (no such key)" : ""),
        current);
  }

  /** A get, one LevelDB read; throws NOT_FOUND, or what validation or the store threw. */
  GetResponse get(GetRequest request) {
    byte[] key = validator.key(request.getKey());
    int shard = shardFunction.shardOf(key);
    long nowMs = pipeline.wallClockMs();
    // Hidden from the deadline on, before the writer's delete of it has run.
    StoredValue value = store.get(shard, key).filter(stored -> !stored.expiredAt(nowMs))
        .orElseThrow(() -> Reads.notFound(request.getKey()));
    return GetResponse.newBuilder().setKey(request.getKey()).setValue(UnsafeByteOperations.unsafeWrap(value.value()))
        .setShard(shard).setVersion(value.version()).setTtlRemainingMs(value.remainingMs(nowMs)).build();
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> response) {
    listExecutor.execute(() -> {
      try {
        // allow_stale is for followers: the leader's reads are never stale.
        int shards = shardFunction.shards();
        response.onNext(Reads.list(store, null, shards,
            Reads.listedShards(request.getShardsList(), shards, ALL_SHARDS, "is not served"), validator, request));
        response.onCompleted();
      } catch (RuntimeException e) {
        response.onError(Statuses.of(e));
      }
    });
  }

  /** Runs on the pipeline's reply thread once committed; {@code call} is the gRPC Context of the write's call. */
  private CompletableFuture<WriteResponse> withAcks(Committed committed, WaitForAcks wait, Context call) {
    WriteResponse.Builder reply = WriteResponse.newBuilder()
        .setShard(committed.shard())
        .setSeq(committed.seq())
        .setEpoch(committed.epoch())
        .setVersion(committed.version())
        .addAllFollowers(replicas.holdersOf(committed.shard()));
    if (wait.getMinAcks() == 0) {
      return CompletableFuture.completedFuture(reply.build());
    }
    // timeout_ms is a uint32: read unsigned, or 2^32 - 1 would be a negative timeout.
    long timeoutMs = wait.getTimeoutMs() == 0 ? defaultAckTimeoutMs : Integer.toUnsignedLong(wait.getTimeoutMs());
    CompletableFuture<Integer> acks =
        replicas.awaitAcks(committed.shard(), committed.seq(), wait.getMinAcks(), timeoutMs);
    // A client that cancelled (or whose deadline passed) frees its waiter now, not at the ack timeout.
    call.addListener(cancelled -> acks.cancel(false), Runnable::run);
    return acks.thenApply(count -> reply.setAcks(count).build());
  }

  private static <T> void reply(CompletableFuture<T> future, StreamObserver<T> response) {
    future.whenComplete((value, error) -> {
      if (error == null) {
        response.onNext(value);
        response.onCompleted();
      } else {
        response.onError(Statuses.of(error));
      }
    });
  }
}
