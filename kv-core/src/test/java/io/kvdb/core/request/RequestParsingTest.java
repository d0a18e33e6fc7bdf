package io.kvdb.core.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.grpc.RawMethods;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RequestParsing} in front of a real (in-process) gRPC server: what a caller gets for good and bad bytes. */
@Timeout(60)
class RequestParsingTest {
  /** KV/Put with its request and reply as bytes, so that a test can send what no client would. */
  private static final MethodDescriptor<byte[], byte[]> RAW_PUT = RawMethods.unary(KVGrpc.getPutMethod().getFullMethodName());

  private final ServerServiceDefinition checked = RequestParsing.checked(new KVGrpc.KVImplBase() {
    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> response) {
      response.onNext(WriteResponse.newBuilder().setSeq(request.getValue().size()).addFollowers(request.getKey())
          .build());
      response.onCompleted();
    }
  }.bindService());
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(checked).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void aValidRequestReachesTheServiceAndItsReplyComesBackWhole() throws Exception {
    PutRequest request = PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFrom(new byte[100])).build();
    WriteResponse reply = ClientCalls.blockingUnaryCall(channel, KVGrpc.getPutMethod(), CallOptions.DEFAULT, request);
    assertEquals(100, reply.getSeq());
    assertEquals("k", reply.getFollowers(0));
    byte[] raw = ClientCalls.blockingUnaryCall(channel, RAW_PUT, CallOptions.DEFAULT, request.toByteArray());
    assertEquals(reply, WriteResponse.parseFrom(raw), "the reply's bytes are its method's own encoding");
  }

  @Test
  void bytesThatAreNoRequestOfTheMethodAreInvalidArgumentNamingIt() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, RAW_PUT, CallOptions.DEFAULT, garbage));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("the request is not a valid Put request: "),
        e.getStatus().getDescription());
    // A string field that is not UTF-8: field 1 (key), length 1, byte 0xff.
    StatusRuntimeException notUtf8 = assertThrows(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(channel, RAW_PUT, CallOptions.DEFAULT, new byte[] {0x0a, 0x01, (byte) 0xff}));
    assertEquals(Status.Code.INVALID_ARGUMENT, notUtf8.getStatus().getCode(), notUtf8.getStatus().toString());
    // The server goes on serving.
    assertEquals(1, ClientCalls.blockingUnaryCall(channel, KVGrpc.getPutMethod(), CallOptions.DEFAULT,
        PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build()).getSeq());
  }

  @Test
  void theServiceKeepsItsNameMethodsAndSchemaForReflection() {
    assertEquals(KVGrpc.SERVICE_NAME, checked.getServiceDescriptor().getName());
    assertSame(KVGrpc.getServiceDescriptor().getSchemaDescriptor(), checked.getServiceDescriptor().getSchemaDescriptor());
    assertEquals(KVGrpc.getServiceDescriptor().getMethods().size(), checked.getMethods().size());
    assertSame(KVGrpc.getPutMethod().getResponseMarshaller(),
        checked.getMethod(KVGrpc.getPutMethod().getFullMethodName()).getMethodDescriptor().getResponseMarshaller(),
        "replies keep their method's marshaller: written straight into the transport's buffers");
  }
}
