package io.kvdb.core.request;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Answers an unreadable request (bytes that are not a message of the method's request type, or a
 * string field that is not UTF-8) with INVALID_ARGUMENT and the parser's reason. Left to gRPC, the
 * request is parsed before any service code runs and the client gets UNKNOWN "Application error
 * processing RPC", with a stack trace in the server's log for every such request.
 */
public final class RequestParsing {
  private RequestParsing() {}

  /** {@code service}, with each request parsed where a parse error can still be answered. */
  public static ServerServiceDefinition checked(ServerServiceDefinition service) {
    // useInputStreamMessages moves the parsing into the handler's onMessage, which the
    // interceptor below wraps; the schema descriptor (for reflection) is kept.
    return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), new Interceptor());
  }

  private static final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        private boolean refused;

        @Override
        public void onMessage(Q message) {
          try {
            super.onMessage(message);
          } catch (StatusRuntimeException e) {
            if (!(e.getCause() instanceof InvalidProtocolBufferException)) {
              throw e;
            }
            refused = true;
            call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                + call.getMethodDescriptor().getBareMethodName() + " request: " + e.getCause().getMessage()),
                new Metadata());
          }
        }

        @Override
        public void onHalfClose() {
          if (!refused) { // the call is closed: the handler must not answer it again
            super.onHalfClose();
          }
        }
      };
    }
  }
}
