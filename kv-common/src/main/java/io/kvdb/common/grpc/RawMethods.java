package io.kvdb.common.grpc;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Unary gRPC methods whose request and reply are raw bytes: for a caller that encodes the
 * messages itself (the benchmark's etcd client, which needs no etcd library) or that must send
 * what a generated stub never would (the fuzzers: invalid UTF-8, truncated or random bytes).
 */
public final class RawMethods {
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

  private RawMethods() {}

  /** The unary method named {@code fullName} ("package.Service/Method"), its messages as bytes. */
  public static MethodDescriptor<byte[], byte[]> unary(String fullName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }
}
