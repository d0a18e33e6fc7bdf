package io.kvdb.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Unary gRPC calls with raw bytes as request and reply, so a test can send what the generated
 * stubs never would: invalid UTF-8 in string fields, truncated or mangled messages, random bytes.
 */
public final class RawGrpc {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawGrpc() {}

  /** The reply's bytes; a non-OK status is thrown as {@link StatusRuntimeException}. */
  public static byte[] call(Channel channel, MethodDescriptor<?, ?> method, byte[] request) {
    return ClientCalls.blockingUnaryCall(channel, method(method.getFullMethodName()),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }

  /** A unary method named {@code fullName} ("package.Service/Method") whose request and reply are raw bytes. */
  public static MethodDescriptor<byte[], byte[]> method(String fullName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }
}
