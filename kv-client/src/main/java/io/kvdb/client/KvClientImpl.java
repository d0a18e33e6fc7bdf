package io.kvdb.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.kvdb.api.v1.BackupRequest;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DrainRequest;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.UndrainRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.Calls.Kind;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * {@link KvClient} over the leader's KV and Cluster services; get, put and delete of one key are
 * {@link KeyCalls}, which puts them on the {@link Session} stream when {@link KvOptions#session()} says so.
 */
final class KvClientImpl implements KvClient {
  private final Calls calls;
  private final KeyCalls keys;
  /** The channel this client built and closes; null for a borrowed channel and for views. */
  private final ManagedChannel owned;
  /** False for a view: the Session stream is its root client's, which closes it. */
  private final boolean root;

  private KvClientImpl(Calls calls, ManagedChannel owned, boolean root) {
    this.calls = calls;
    this.keys = new KeyCalls(calls);
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
    return keys.put(keys.putRequest(key, value).build());
  }

  @Override
  public WriteResponse put(String key, ByteString value, long expectedVersion) {
    return keys.put(keys.putRequest(key, value).setExpectedVersion(expectedVersion).build());
  }

  @Override
  public WriteResponse put(String key, ByteString value, OptionalLong expectedVersion, long ttlSeconds) {
    return keys.put(expiringPut(key, value, expectedVersion, ttlSeconds));
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value) {
    return keys.putAsync(keys.putRequest(key, value).build());
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value, long expectedVersion) {
    return keys.putAsync(keys.putRequest(key, value).setExpectedVersion(expectedVersion).build());
  }

  @Override
  public CompletableFuture<WriteResponse> putAsync(String key, ByteString value, OptionalLong expectedVersion,
      long ttlSeconds) {
    return keys.putAsync(expiringPut(key, value, expectedVersion, ttlSeconds));
  }

  private PutRequest expiringPut(String key, ByteString value, OptionalLong expectedVersion, long ttlSeconds) {
    PutRequest.Builder request = keys.putRequest(key, value).setTtlSeconds(ttlSeconds);
    expectedVersion.ifPresent(request::setExpectedVersion);
    return request.build();
  }

  @Override
  public BatchResponse batch(BatchRequest batch) {
    return calls.blocking(KVGrpc.getBatchMethod(), batch, Kind.WRITE);
  }

  @Override
  public CompletableFuture<BatchResponse> batchAsync(BatchRequest batch) {
    return calls.async(KVGrpc.getBatchMethod(), batch, Kind.WRITE);
  }

  @Override
  public Optional<ByteString> get(String key) {
    return keys.get(key).map(GetResponse::getValue);
  }

  @Override
  public Optional<GetResponse> getEntry(String key) {
    return keys.get(key);
  }

  @Override
  public CompletableFuture<Optional<GetResponse>> getEntryAsync(String key) {
    return keys.getAsync(key);
  }

  @Override
  public CompletableFuture<Optional<ByteString>> getAsync(String key) {
    return keys.getAsync(key).thenApply(entry -> entry.map(GetResponse::getValue));
  }

  @Override
  public Optional<WriteResponse> delete(String key) {
    return keys.delete(keys.deleteRequest(key).build());
  }

  @Override
  public Optional<WriteResponse> delete(String key, long expectedVersion) {
    return keys.delete(keys.deleteRequest(key).setExpectedVersion(expectedVersion).build());
  }

  @Override
  public CompletableFuture<Optional<WriteResponse>> deleteAsync(String key) {
    return keys.deleteAsync(keys.deleteRequest(key).build());
  }

  @Override
  public CompletableFuture<Optional<WriteResponse>> deleteAsync(String key, long expectedVersion) {
    return keys.deleteAsync(keys.deleteRequest(key).setExpectedVersion(expectedVersion).build());
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
