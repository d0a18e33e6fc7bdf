package io.kvdb.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.kvdb.api.v1.BackupRequest;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.DrainRequest;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.UndrainRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.Calls.Kind;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@link KvClient} over the leader's KV and Cluster services; get, put and delete go on the
 * {@link Session} stream when {@link KvOptions#session()} says so.
 */
final class KvClientImpl implements KvClient {
  private final Calls calls;
  /** The channel this client built and closes; null for a borrowed channel and for views. */
  private final ManagedChannel owned;
  /** False for a view: the Session stream is its root client's, which closes it. */
  private final boolean root;

  private KvClientImpl(Calls calls, ManagedChannel owned, boolean root) {
    this.calls = calls;
    this.owned = owned;
    this.root = root;
  }

  static KvClient owning(ManagedChannel channel, KvOptions options) {
    return new KvClientImpl(new Calls(channel, new Session(channel), options), channel, true);
  }

  static KvClient borrowing(Channel channel, KvOptions options) {
    return new KvClientImpl(new Calls(channel, new Session(channel), options), null, true);
  }

  @Override
  public KvOptions options() {
    return calls.options();
  }

  @Override
  public KvClient withOptions(KvOptions options) {
    return new KvClientImpl(new Calls(calls.channel(), calls.sessionStream(), options), null, false);
  }

  @Override
  public WriteResponse put(String key, ByteString value) {
    return put(putRequest(key, value));
  }

  @Override
  public WriteResponse put(String key, ByteString value, long expectedVersion) {
    return put(putRequest(key, value).toBuilder().setExpectedVersion(expectedVersion).build());
  }

  private WriteResponse put(PutRequest request) {
    if (calls.options().session()) {
      return calls.sessionBlocking(SessionRequest.newBuilder().setPut(request), Kind.WRITE).getWrite();
    }
    return calls.blocking(KVGrpc.getPutMethod(), request, Kind.WRITE);
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value) {
    return putAsync(putRequest(key, value));
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value, long expectedVersion) {
    return putAsync(putRequest(key, value).toBuilder().setExpectedVersion(expectedVersion).build());
  }

  @Override
  public WriteResponse put(String key, ByteString value, OptionalLong expectedVersion, long ttlSeconds) {
    return put(expiringPut(key, value, expectedVersion, ttlSeconds));
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value, OptionalLong expectedVersion,
      long ttlSeconds) {
    return putAsync(expiringPut(key, value, expectedVersion, ttlSeconds));
  }

  private PutRequest expiringPut(String key, ByteString value, OptionalLong expectedVersion, long ttlSeconds) {
    PutRequest.Builder request = putRequest(key, value).toBuilder().setTtlSeconds(ttlSeconds);
    expectedVersion.ifPresent(request::setExpectedVersion);
    return request.build();
  }

  private CompletableFuture<WriteResponse> putAsync(PutRequest request) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setPut(request), Kind.WRITE)
          .thenApply(SessionReply::getWrite);
    }
    return calls.async(KVGrpc.getPutMethod(), request, Kind.WRITE);
  }

  @Override
  public BatchResponse batch(BatchRequest batch) {
    return calls.blocking(KVGrpc.getBatchMethod(), batch, Kind.WRITE);
  }

  @Override
  public CompletableFuture<BatchResponse> batchAsync(BatchRequest batch) {
    return calls.async(KVGrpc.getBatchMethod(), batch, Kind.WRITE);
  }

  private PutRequest putRequest(String key, ByteString value) {
    return PutRequest.newBuilder().setKey(key).setValue(value).setWait(waitForAcks()).build();
  }

  @Override
  public Optional<ByteString> get(String key) {
    try {
      if (calls.options().session()) {
        return Optional.of(calls.sessionBlocking(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
            .getGet().getValue());
      }
      return Optional.of(calls.blocking(KVGrpc.getGetMethod(), getRequest(key), Kind.READ).getValue());
    } catch (KvException e) {
      return notFound(e);
    }
  }

  @Override
  public Optional<GetResponse> getEntry(String key) {
    try {
      if (calls.options().session()) {
        return Optional.of(calls.sessionBlocking(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
            .getGet());
      }
      return Optional.of(calls.blocking(KVGrpc.getGetMethod(), getRequest(key), Kind.READ));
    } catch (KvException e) {
      return notFound(e);
    }
  }

  @Override
  public CompletableFuture<Optional<GetResponse>> getEntryAsync(String key) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
          .handle((reply, error) -> error == null ? Optional.of(reply.getGet()) : notFound(error));
    }
    return calls.async(KVGrpc.getGetMethod(), getRequest(key), Kind.READ)
        .handle((reply, error) -> error == null ? Optional.of(reply) : notFound(error));
  }

  @Override
  public CompletableFuture<Optional<ByteString>> getAsync(String key) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
          .handle((reply, error) -> error == null ? Optional.of(reply.getGet().getValue()) : notFound(error));
    }
    return calls.async(KVGrpc.getGetMethod(), getRequest(key), Kind.READ)
        .handle((reply, error) -> error == null ? Optional.of(reply.getValue()) : notFound(error));
  }

  private static GetRequest getRequest(String key) {
    return GetRequest.newBuilder().setKey(key).build();
  }

  @Override
  public Optional<WriteResponse> delete(String key) {
    return delete(deleteRequest(key));
  }

  @Override
  public Optional<WriteResponse> delete(String key, long expectedVersion) {
    return delete(deleteRequest(key).toBuilder().setExpectedVersion(expectedVersion).build());
  }

  private Optional<WriteResponse> delete(DeleteRequest request) {
    try {
      if (calls.options().session()) {
        return Optional.of(calls.sessionBlocking(SessionRequest.newBuilder().setDelete(request), Kind.WRITE)
            .getWrite());
      }
      return Optional.of(calls.blocking(KVGrpc.getDeleteMethod(), request, Kind.WRITE));
    } catch (KvException e) {
      return notFound(e);
    }
  }

  @Override
  public CompletableFuture<Optional<WriteResponse>> deleteAsync(String key) {
    return deleteAsync(deleteRequest(key));
  }

  @Override
  public CompletableFuture<Optional<WriteResponse>> deleteAsync(String key, long expectedVersion) {
    return deleteAsync(deleteRequest(key).toBuilder().setExpectedVersion(expectedVersion).build());
  }

  private CompletableFuture<Optional<WriteResponse>> deleteAsync(DeleteRequest request) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setDelete(request), Kind.WRITE)
          .handle((reply, error) -> error == null ? Optional.of(reply.getWrite()) : notFound(error));
    }
    return calls.async(KVGrpc.getDeleteMethod(), request, Kind.WRITE)
        .handle((reply, error) -> error == null ? Optional.of(reply) : notFound(error));
  }

  private DeleteRequest deleteRequest(String key) {
    return DeleteRequest.newBuilder().setKey(key).setWait(waitForAcks()).build();
  }

  private WaitForAcks waitForAcks() {
    KvOptions options = calls.options();
    return WaitForAcks.newBuilder().setMinAcks(options.minAcks())
        .setTimeoutMs((int) options.ackTimeout().toMillis()).build(); // a uint32 on the wire: bounded by KvOptions
  }

  /** Empty for NOT_FOUND, the answer for a missing key; any other failure goes on to the caller. */
  private static <T> Optional<T> notFound(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    KvException failure = KvException.of(cause, 1);
    if (failure.code() == Status.Code.NOT_FOUND) {
      return Optional.empty();
    }
    throw failure;
  }

  @Override
  public long watch(io.kvdb.api.v1.WatchRequest request, java.time.Duration reconnectFor,
      java.util.function.Predicate<io.kvdb.api.v1.WatchResponse> listener) {
    return Watches.run(calls, request, reconnectFor, listener);
  }

  @Override
  public void watchAsync(io.kvdb.api.v1.WatchRequest request,
      io.grpc.stub.ClientResponseObserver<io.kvdb.api.v1.WatchRequest, io.kvdb.api.v1.WatchResponse> observer) {
    calls.serverStreamAsync(KVGrpc.getWatchMethod(), request, observer);
  }

  @Override
  public ListResponse listPage(ListRequest request) {
    return calls.blocking(KVGrpc.getListMethod(), request, Kind.READ);
  }

  @Override
  public CompletableFuture<ListResponse> listPageAsync(ListRequest request) {
    return calls.async(KVGrpc.getListMethod(), request, Kind.READ);
  }

  @Override
  public Stream<KeyValue> list(ListRequest request) {
    return Pages.stream(this::listPage, request);
  }

  @Override
  public StatusResponse status() {
    return calls.blocking(ClusterGrpc.getStatusMethod(), StatusRequest.getDefaultInstance(), Kind.READ);
  }

  @Override
  public CompletableFuture<StatusResponse> statusAsync() {
    return calls.async(ClusterGrpc.getStatusMethod(), StatusRequest.getDefaultInstance(), Kind.READ);
  }

  @Override
  public List<ShardDigest> shardDigests(int... shards) {
    return calls.blocking(ClusterGrpc.getShardDigestsMethod(), digestsRequest(shards), Kind.READ).getDigestsList();
  }

  @Override
  public CompletableFuture<List<ShardDigest>> shardDigestsAsync(int... shards) {
    return calls.async(ClusterGrpc.getShardDigestsMethod(), digestsRequest(shards), Kind.READ)
        .thenApply(ShardDigestsResponse::getDigestsList);
  }

  @Override
  public DrainResponse drain(String followerId) {
    return calls.blocking(ClusterGrpc.getDrainMethod(), DrainRequest.newBuilder().setFollowerId(followerId).build(),
        Kind.WRITE);
  }

  @Override
  public boolean undrain(String followerId) {
    return calls.blocking(ClusterGrpc.getUndrainMethod(),
        UndrainRequest.newBuilder().setFollowerId(followerId).build(), Kind.WRITE).getWasDrained();
  }

  /** Shared with {@link FollowerClientImpl}: both services take the same request. */
  static ShardDigestsRequest digestsRequest(int... shards) {
    return ShardDigestsRequest.newBuilder().addAllShards(IntStream.of(shards).boxed().toList()).build();
  }

  @Override
  public Stream<DumpMessage> backup(int chunkBytes) {
    return calls.serverStream(ClusterGrpc.getBackupMethod(), BackupRequest.newBuilder().setChunkBytes(chunkBytes).build());
  }

  @Override
  public void close() {
    if (root) {
      calls.sessionStream().close();
    }
    Channels.close(owned);
  }
}
