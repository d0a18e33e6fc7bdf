package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real leader (LevelDB, write pipeline, replication sockets) with bearer tokens, over in-process
 * gRPC: refused calls change nothing stored (digests and values compared before and after), and
 * health and reflection stay open.
 */
@Timeout(60)
class LeaderTokenTest {
  private static final String READER = "reader-token-0123456789";
  private static final String WRITER = "writer-token-0123456789";

  @TempDir Path dir;
  private LeaderServer leader;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    GrpcSecurity tokens = GrpcSecurity.withTokens(BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE)));
    leader = new LeaderServer(LeaderConfig.forTest(dir).withSecurity(tokens, Optional.empty()),
        InProcessServerBuilder.forName(name));
    leader.start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    leader.stop();
  }

  private <S extends io.grpc.stub.AbstractStub<S>> S as(String token, Function<ManagedChannel, S> stub) {
    S plain = stub.apply(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (token == null) {
      return plain;
    }
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + token);
    return plain.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private KVGrpc.KVBlockingStub kv(String token) {
    return as(token, KVGrpc::newBlockingStub);
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
  }

  @Test
  void refusedWritesChangeNothingStored() {
    for (int i = 0; i < 50; i++) {
      kv(WRITER).put(put("key-" + i, "value-" + i));
    }
    ShardDigestsResponse before = as(READER, ClusterGrpc::newBlockingStub).shardDigests(
        ShardDigestsRequest.getDefaultInstance());

    for (String token : new String[] {null, "not-a-token-at-all-xyz", READER}) {
      Status.Code expected = READER.equals(token) ? Status.Code.PERMISSION_DENIED : Status.Code.UNAUTHENTICATED;
      assertCode(expected, () -> kv(token).put(put("key-1", "overwritten")));
      assertCode(expected, () -> kv(token).put(put("new-key", "v")));
      assertCode(expected, () -> kv(token).delete(DeleteRequest.newBuilder().setKey("key-2").build()));
    }

    ShardDigestsResponse after = as(READER, ClusterGrpc::newBlockingStub).shardDigests(
        ShardDigestsRequest.getDefaultInstance());
    assertEquals(before, after, "digests and seqs moved although every write was refused");
    assertEquals("value-1", kv(READER).get(GetRequest.newBuilder().setKey("key-1").build()).getValue().toStringUtf8());
    assertCode(Status.Code.NOT_FOUND, () -> kv(READER).get(GetRequest.newBuilder().setKey("new-key").build()));
  }

  @Test
  void readsNeedAToken() {
    assertCode(Status.Code.UNAUTHENTICATED, () -> kv(null).get(GetRequest.newBuilder().setKey("k").build()));
    assertCode(Status.Code.UNAUTHENTICATED,
        () -> as(null, ClusterGrpc::newBlockingStub).status(StatusRequest.getDefaultInstance()));
    as(READER, ClusterGrpc::newBlockingStub).status(StatusRequest.getDefaultInstance());
    as(WRITER, ClusterGrpc::newBlockingStub).status(StatusRequest.getDefaultInstance());
  }

  @Test
  void healthAndReflectionStayOpen() throws Exception {
    assertEquals(ServingStatus.SERVING, as(null, HealthGrpc::newBlockingStub)
        .check(HealthCheckRequest.newBuilder().setService(KVGrpc.SERVICE_NAME).build()).getStatus());

    CompletableFuture<ServerReflectionResponse> reply = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
        new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse response) {
            reply.complete(response);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    List<String> services = reply.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
        .map(s -> s.getName()).toList();
    assertTrue(services.contains(KVGrpc.SERVICE_NAME), services.toString());
  }

  private static void assertCode(Status.Code expected, org.junit.jupiter.api.function.Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
  }
}
