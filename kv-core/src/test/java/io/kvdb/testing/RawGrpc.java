package io.kvdb.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.kvdb.common.grpc.RawMethods;
import java.util.concurrent.TimeUnit;

/**
 * Unary gRPC calls with raw bytes as request and reply, so a test can send what the generated
 * stubs never would: invalid UTF-8 in string fields, truncated or mangled messages, random bytes
 * (the method as {@link RawMethods} makes it).
 */
public final class RawGrpc {
  private RawGrpc() {}

  /** The reply's bytes; a non-OK status is thrown as {@link StatusRuntimeException}. */
  public static byte[] call(Channel channel, MethodDescriptor<?, ?> method, byte[] request) {
    return ClientCalls.blockingUnaryCall(channel, RawMethods.unary(method.getFullMethodName()),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }
}
