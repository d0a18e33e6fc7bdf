package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
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
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.security.BearerTokens.Role;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The interceptor in front of fake KV and Cluster services over in-process gRPC: what each kind of
 * caller gets, and that a refused call never reaches the service.
 */
@Timeout(30)
class BearerAuthInterceptorTest {
  private static final String READER = "reader-token-0123456789";
  private static final String WRITER = "writer-token-0123456789";

  private final FakeKv kv = new FakeKv();
  private Server server;
  private ManagedChannel channel;

  /** Stores puts in a map and counts every call that reaches it. */
  private static final class FakeKv extends KVGrpc.KVImplBase {
    final Map<String, ByteString> data = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> out) {
      calls.incrementAndGet();
      data.put(request.getKey(), request.getValue());
      out.onNext(WriteResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void delete(DeleteRequest request, StreamObserver<WriteResponse> out) {
      calls.incrementAndGet();
      data.remove(request.getKey());
      out.onNext(WriteResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
      calls.incrementAndGet();
      out.onNext(GetResponse.newBuilder().setKey(request.getKey())
          .setValue(data.getOrDefault(request.getKey(), ByteString.EMPTY)).build());
      out.onCompleted();
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> out) {
      calls.incrementAndGet();
      out.onNext(ListResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  private static final class FakeCluster extends ClusterGrpc.ClusterImplBase {
    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
      out.onNext(StatusResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    GrpcSecurity security = GrpcSecurity.withTokens(BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE)));
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(security.protect(kv))
        .addService(security.protect(new FakeCluster()))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private KVGrpc.KVBlockingStub kv(String authorization) {
    KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(channel);
    if (authorization == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static PutRequest put(String key) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build();
  }

  @Test
  void noTokenIsUnauthenticatedAndNeverReachesTheService() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> kv(null).put(put("k")));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("authorization: Bearer"), e.getStatus().getDescription());
    assertEquals("Bearer realm=\"kvdb\"",
        e.getTrailers().get(Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER)));
    assertEquals(0, kv.calls.get());
    assertTrue(kv.data.isEmpty());
  }

  @Test
  void wrongTokenOrSchemeIsUnauthenticated() {
    for (String header : new String[] {"Bearer " + WRITER + "x", "Bearer ", "Basic " + WRITER, WRITER, "Bearer"}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> kv(header).put(put("k")),
          "header '" + header + "'");
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "header '" + header + "'");
    }
    assertEquals(0, kv.calls.get());
    assertTrue(kv.data.isEmpty());
  }

  @Test
  void readTokenReadsButCannotWrite() {
    KVGrpc.KVBlockingStub reader = kv("Bearer " + READER);
    reader.get(GetRequest.newBuilder().setKey("k").build());
    reader.list(ListRequest.getDefaultInstance());
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + READER);
    ClusterGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .status(StatusRequest.getDefaultInstance());
    assertEquals(2, kv.calls.get());

    StatusRuntimeException put = assertThrows(StatusRuntimeException.class, () -> reader.put(put("k")));
    assertEquals(Status.Code.PERMISSION_DENIED, put.getStatus().getCode());
    assertTrue(put.getStatus().getDescription().contains("kv.v1.KV/Put needs a write token"),
        put.getStatus().getDescription());
    StatusRuntimeException delete = assertThrows(StatusRuntimeException.class,
        () -> reader.delete(DeleteRequest.newBuilder().setKey("k").build()));
    assertEquals(Status.Code.PERMISSION_DENIED, delete.getStatus().getCode());
    assertEquals(2, kv.calls.get(), "a refused write never reached the service");
    assertTrue(kv.data.isEmpty());
  }

  @Test
  void writeTokenDoesEverythingAndTheSchemeIsCaseInsensitive() {
    kv("bearer " + WRITER).put(put("k"));
    assertEquals("v", kv("BEARER " + WRITER).get(GetRequest.newBuilder().setKey("k").build()).getValue().toStringUtf8());
    kv("Bearer " + WRITER).delete(DeleteRequest.newBuilder().setKey("k").build());
    assertTrue(kv.data.isEmpty());
  }
}
