package io.kvdb.gateway.leader;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.gateway.errors.ApiException;
import java.util.List;
import java.util.Optional;

/**
 * The leader's KV and Cluster gRPC services, served again by the gateway by forwarding each call.
 * They exist so that DocService at /docs can describe the gRPC API and its debug form can call it
 * from a browser (as JSON, through Armeria's unframed requests). Each call goes on with the
 * caller's {@code authorization} header, as the HTTP API's do; replies and error statuses pass
 * through unchanged; the gateway keeps no state.
 */
public final class LeaderProxy {
  private LeaderProxy() {}

  /** The forwarding services, for a GrpcService. */
  public static List<BindableService> services(LeaderClient leader) {
    return List.of(new Kv(leader), new Cluster(leader));
  }

  /**
   * The calls of the current gRPC request's caller; Armeria runs service methods with the request's
   * context current. Empty, after answering the call, when its header cannot be sent on.
   */
  private static Optional<LeaderCalls> caller(LeaderClient leader, StreamObserver<?> response) {
    try {
      return Optional.of(leader.forCaller(ServiceRequestContext.current()));
    } catch (ApiException e) {
      response.onError(Status.UNAUTHENTICATED.withDescription(e.getMessage()).asRuntimeException());
      return Optional.empty();
    }
  }

  private static final class Kv extends KVGrpc.KVImplBase {
    private final LeaderClient leader;

    Kv(LeaderClient leader) {
      this.leader = leader;
    }

    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.kv(request.getWait()).put(request, response));
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.kv(WaitForAcks.getDefaultInstance()).get(request, response));
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<WriteResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.kv(request.getWait()).delete(request, response));
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.kv(WaitForAcks.getDefaultInstance()).list(request, response));
    }
  }

  private static final class Cluster extends ClusterGrpc.ClusterImplBase {
    private final LeaderClient leader;

    Cluster(LeaderClient leader) {
      this.leader = leader;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.cluster().status(request, response));
    }

    @Override
    public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
      caller(leader, response).ifPresent(calls -> calls.cluster().shardDigests(request, response));
    }
  }
}
