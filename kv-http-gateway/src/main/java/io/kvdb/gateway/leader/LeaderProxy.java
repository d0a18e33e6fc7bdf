package io.kvdb.gateway.leader;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.client.KvOptions;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.gateway.errors.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The leader's KV and Cluster gRPC services, served again by the gateway by forwarding each call.
 * They exist so that DocService at /docs can describe the gRPC API and its debug form can call it
 * from a browser (as JSON, through Armeria's unframed requests).
 *
 * <p>Unlike the HTTP API, these calls do not go through {@code KvClient}'s methods: a proxy must
 * pass the leader's replies and statuses through as they are (a Get's {@code shard}, the leader's
 * NOT_FOUND and its details), where the client interprets them (a missing key is an empty
 * Optional) and sends failed reads again. They go over the same channel, with the caller's token
 * from {@link LeaderClient#forCaller} and the client's deadlines. The gateway keeps no state.
 */
public final class LeaderProxy {
  private LeaderProxy() {}

  /** The forwarding services, for a GrpcService: every unary method of {@code kv.v1.KV} and {@code kv.v1.Cluster}. */
  public static List<ServerServiceDefinition> services(LeaderClient leader) {
    return List.of(forwarding(KVGrpc.getServiceDescriptor(), leader),
        forwarding(ClusterGrpc.getServiceDescriptor(), leader));
  }

  private static ServerServiceDefinition forwarding(ServiceDescriptor service, LeaderClient leader) {
    // KV Session, a stream of many callers' requests, is the gateway's own way to the leader and
    // not one a browser's form can call: only the unary methods are forwarded.
    ServiceDescriptor.Builder unary = ServiceDescriptor.newBuilder(service.getName())
        .setSchemaDescriptor(service.getSchemaDescriptor());
    List<MethodDescriptor<?, ?>> forwarded = service.getMethods().stream()
        .filter(method -> method.getType() == MethodDescriptor.MethodType.UNARY).toList();
    forwarded.forEach(unary::addMethod);
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(unary.build());
    for (MethodDescriptor<?, ?> method : forwarded) {
      add(definition, method, leader);
    }
    return definition.build();
  }

  private static <Q, R> void add(ServerServiceDefinition.Builder definition, MethodDescriptor<Q, R> method,
      LeaderClient leader) {
    definition.addMethod(method, ServerCalls.asyncUnaryCall((request, response) ->
        forward(leader, method, request, response)));
  }

  /**
   * Sends {@code request} to the leader for the current gRPC request's caller (Armeria runs service
   * methods with the request's context current) and its reply or status back to {@code response}.
   */
  private static <Q, R> void forward(LeaderClient leader, MethodDescriptor<Q, R> method, Q request,
      StreamObserver<R> response) {
    KvOptions caller;
    try {
      caller = leader.forCaller(ServiceRequestContext.current()).options();
    } catch (ApiException e) {
      response.onError(Status.UNAUTHENTICATED.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Channel channel = caller.token()
        .map(token -> ClientInterceptors.intercept(leader.channel(),
            MetadataUtils.newAttachHeadersInterceptor(BearerHeader.metadata(token))))
        .orElse(leader.channel());
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(deadline(caller, request).toMillis(),
        TimeUnit.MILLISECONDS);
    ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, response);
  }

  /** The client's deadline; a write that waits for acks gets its wait on top, as the HTTP API's do. */
  private static Duration deadline(KvOptions caller, Object request) {
    WaitForAcks wait = request instanceof PutRequest put ? put.getWait()
        : request instanceof DeleteRequest delete ? delete.getWait() : WaitForAcks.getDefaultInstance();
    return caller.deadline().plusMillis(Integer.toUnsignedLong(wait.getTimeoutMs()));
  }
}
