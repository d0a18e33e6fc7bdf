package io.kvdb.gateway.leader;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Calls to the leader on behalf of one caller, made by {@link LeaderClient#forCaller}: the stubs
 * carry that caller's credential, so one object serves one request (and, for a streamed
 * {@code GET /all}, each of its pages). Replies and error statuses come back unchanged.
 */
public final class LeaderCalls {
  private final LeaderClient client;
  private final KVGrpc.KVStub kv;
  private final ClusterGrpc.ClusterStub cluster;

  LeaderCalls(LeaderClient client, KVGrpc.KVStub kv, ClusterGrpc.ClusterStub cluster) {
    this.client = client;
    this.kv = kv;
    this.cluster = cluster;
  }

  static ClientInterceptor attach(Metadata headers) {
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  public CompletableFuture<WriteResponse> put(PutRequest request) {
    return call(kv(request.getWait())::put, request);
  }

  public CompletableFuture<WriteResponse> delete(DeleteRequest request) {
    return call(kv(request.getWait())::delete, request);
  }

  public CompletableFuture<GetResponse> get(GetRequest request) {
    return call(kv(WaitForAcks.getDefaultInstance())::get, request);
  }

  public CompletableFuture<ListResponse> list(ListRequest request) {
    return call(kv(WaitForAcks.getDefaultInstance())::list, request);
  }

  public CompletableFuture<StatusResponse> status() {
    return call(cluster()::status, StatusRequest.getDefaultInstance());
  }

  /**
   * The KV stub with this call's deadline: the leader timeout, plus the time a write may wait for
   * follower acks (a 0 wait means the leader's default, which is shorter than our timeout).
   */
  KVGrpc.KVStub kv(WaitForAcks wait) {
    return kv.withDeadlineAfter(client.deadlineFor(wait).toMillis(), TimeUnit.MILLISECONDS);
  }

  ClusterGrpc.ClusterStub cluster() {
    return cluster.withDeadlineAfter(client.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <Q, R> CompletableFuture<R> call(BiConsumer<Q, StreamObserver<R>> method, Q request) {
    CompletableFuture<R> result = new CompletableFuture<>();
    method.accept(request, new StreamObserver<>() {
      @Override
      public void onNext(R value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        // A unary reply completes in onNext; a stream that ends without one is a broken leader.
        result.completeExceptionally(Status.INTERNAL
            .withDescription("leader closed the call without a reply").asRuntimeException());
      }
    });
    return result;
  }
}
