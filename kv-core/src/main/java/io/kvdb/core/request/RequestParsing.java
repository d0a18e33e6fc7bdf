package io.kvdb.core.request;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers an unreadable request (bytes that are not a message of the method's request type, or a
 * string field that is not UTF-8) with INVALID_ARGUMENT and the parser's reason. Left to gRPC, the
 * request is parsed before any service code runs and the client gets UNKNOWN "Application error
 * processing RPC", with a stack trace in the server's log for every such request.
 *
 * <p>Only the requests are taken as raw streams and parsed here; the replies keep their method's
 * own marshaller. (gRPC's {@code ServerInterceptors.useInputStreamMessages} turns the replies into
 * streams too, and each reply then went through two 8-KiB copy buffers instead of being written
 * straight into the transport's buffer: the larger part of the leader's reply path, profiled.)
 */
public final class RequestParsing {
  /** The request as gRPC read it; parsed in the call's {@code onMessage}, before gRPC closes the stream. */
  private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private RequestParsing() {}

  /** {@code service}, with each request parsed where a parse error can still be answered. */
  public static ServerServiceDefinition checked(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<InputStream, ?>> methods = new ArrayList<>();
    // The schema descriptor is kept, for reflection.
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<InputStream, ?> raw = rawRequests(method);
      methods.add(raw);
      descriptor.addMethod(raw.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder checked = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(checked::addMethod);
    return checked.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> rawRequests(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> parsed = method.getMethodDescriptor();
    MethodDescriptor<InputStream, R> raw = parsed.toBuilder(RAW, parsed.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    return ServerMethodDefinition.create(raw, (call, headers) -> parsing(call, headers, parsed, handler));
  }

  private static <Q, R> ServerCall.Listener<InputStream> parsing(ServerCall<InputStream, R> call, Metadata headers,
      MethodDescriptor<Q, R> parsed, ServerCallHandler<Q, R> handler) {
    // The handler sees its own method (typed requests); every other part of the call is the transport's.
    ServerCall.Listener<Q> listener = handler.startCall(new TypedCall<>(call, parsed), headers);
    return new ServerCall.Listener<>() {
      private boolean refused;

      @Override
      public void onMessage(InputStream message) {
        Q request;
        try {
          request = parsed.parseRequest(message);
        } catch (StatusRuntimeException e) {
          if (!(e.getCause() instanceof InvalidProtocolBufferException)) {
            throw e;
          }
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
              + parsed.getBareMethodName() + " request: " + e.getCause().getMessage()), new Metadata());
          return;
        }
        listener.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) { // the call is closed: the handler must not answer it again
          listener.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        listener.onCancel();
      }

      @Override
      public void onComplete() {
        listener.onComplete();
      }

      @Override
      public void onReady() {
        listener.onReady();
      }
    };
  }

  /** A call whose requests are parsed, as its handler expects: the call's own replies, its typed method. */
  private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> method;

    TypedCall(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }
  }
}
