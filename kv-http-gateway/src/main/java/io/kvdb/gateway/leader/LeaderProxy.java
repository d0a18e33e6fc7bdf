package io.kvdb.gateway.leader;

import io.grpc.BindableService;
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
import java.util.List;

/**
 * The leader's KV and Cluster gRPC services, served again by the gateway by forwarding each call.
 * They exist so that DocService at /docs can describe the gRPC API and its debug form can call it
 * from a browser (as JSON, through Armeria's unframed requests). Replies and error statuses pass
 * through unchanged; the gateway keeps no state.
 */
public final class LeaderProxy {
  private LeaderProxy() {}

  /** The forwarding services, for a GrpcService. */
  public static List<BindableService> services(LeaderClient leader) {
    return List.of(new Kv(leader), new Cluster(leader));
  }

  private static final class Kv extends KVGrpc.KVImplBase {
    private final LeaderClient leader;

    Kv(LeaderClient leader) {
      this.leader = leader;
    }

    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> response) {
      leader.kv(request.getWait()).put(request, response);
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
      leader.kv(WaitForAcks.getDefaultInstance()).get(request, response);
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<WriteResponse> response) {
      leader.kv(request.getWait()).delete(request, response);
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
      leader.kv(WaitForAcks.getDefaultInstance()).list(request, response);
    }
  }

  private static final class Cluster extends ClusterGrpc.ClusterImplBase {
    private final LeaderClient leader;

    Cluster(LeaderClient leader) {
      this.leader = leader;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
      leader.cluster().status(request, response);
    }

    @Override
    public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
      leader.cluster().shardDigests(request, response);
    }
  }
}
