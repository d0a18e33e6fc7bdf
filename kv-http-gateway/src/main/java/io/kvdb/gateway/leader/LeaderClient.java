package io.kvdb.gateway.leader;

import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
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
import io.kvdb.gateway.config.LeaderAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The gateway's only way to the data: async gRPC stubs of the leader's KV and Cluster services over
 * Armeria's HTTP/2 client. Nothing here blocks, so it is safe on Armeria's event loop. Every call
 * carries a deadline; a leader that is down fails the call at once with UNAVAILABLE, and the next
 * call connects again, so the gateway recovers by itself when the leader comes back.
 */
public final class LeaderClient {
  private final LeaderAddress address;
  private final Duration timeout;
  private final KVGrpc.KVStub kv;
  private final ClusterGrpc.ClusterStub cluster;

  private LeaderClient(LeaderAddress address, Duration timeout, KVGrpc.KVStub kv, ClusterGrpc.ClusterStub cluster) {
    this.address = address;
    this.timeout = timeout;
    this.kv = kv;
    this.cluster = cluster;
  }

  /** A client of the leader at {@code address}; connects lazily, on the first call. */
  public static LeaderClient of(LeaderAddress address, Duration timeout) {
    // Plain HTTP/2 (h2c) as grpc-java's Netty server expects; deadlines are set per call, so the
    // client-wide response timeout is off.
    Endpoint endpoint = Endpoint.of(address.host(), address.port());
    KVGrpc.KVStub kv = GrpcClients.builder(SessionProtocol.H2C, endpoint)
        .responseTimeout(Duration.ZERO)
        .build(KVGrpc.KVStub.class);
    ClusterGrpc.ClusterStub cluster = GrpcClients.builder(SessionProtocol.H2C, endpoint)
        .responseTimeout(Duration.ZERO)
        .build(ClusterGrpc.ClusterStub.class);
    return new LeaderClient(address, timeout, kv, cluster);
  }

  public LeaderAddress address() {
    return address;
  }

  /** How long one call may take (a write that waits for acks gets its wait on top). */
  public Duration timeout() {
    return timeout;
  }

  /** The deadline of a write that waits as {@code wait} says. */
  public Duration deadlineFor(WaitForAcks wait) {
    return timeout.plusMillis(Integer.toUnsignedLong(wait.getTimeoutMs()));
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
    return call(cluster()::status,
        StatusRequest.getDefaultInstance());
  }

  /**
   * The KV stub with this call's deadline: the leader timeout, plus the time a write may wait for
   * follower acks (a 0 wait means the leader's default, which is shorter than our timeout).
   */
  KVGrpc.KVStub kv(WaitForAcks wait) {
    return kv.withDeadlineAfter(deadlineFor(wait).toMillis(), TimeUnit.MILLISECONDS);
  }

  ClusterGrpc.ClusterStub cluster() {
    return cluster.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        result.completeExceptionally(io.grpc.Status.INTERNAL
            .withDescription("leader closed the call without a reply").asRuntimeException());
      }
    });
    return result;
  }
}
