package io.kvdb.core.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts finished gRPC calls per method and status code: {@code kvdb_grpc_requests_total}. */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
  private final Metrics metrics;

  public GrpcMetricsInterceptor(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long started = System.nanoTime();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        String labels = "method=\"" + method + "\",code=\"" + status.getCode() + "\"";
        metrics.counter("kvdb_grpc_requests_total", "gRPC calls finished, by method and status code", labels).increment();
        metrics.counter("kvdb_grpc_request_micros_total", "Time spent in gRPC calls, microseconds", labels)
            .add((System.nanoTime() - started) / 1000);
        super.close(status, trailers);
      }
    }, headers);
  }
}
