package io.kvdb.core.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/** Counts finished gRPC calls per method and status code: {@code kvdb_grpc_requests_total}. */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
  private static final int CODES = Status.Code.values().length;

  private final Metrics metrics;
  /**
   * The counters of each method, by status code, looked up once: every call passes here, and
   * building the label string for each one showed in profiles.
   */
  private final Map<String, AtomicReferenceArray<Counters>> byMethod = new ConcurrentHashMap<>();

  private record Counters(LongAdder calls, LongAdder micros) {}

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
        Counters counters = countersOf(method, status.getCode());
        counters.calls().increment();
        counters.micros().add((System.nanoTime() - started) / 1000);
        super.close(status, trailers);
      }
    }, headers);
  }

  private Counters countersOf(String method, Status.Code code) {
    AtomicReferenceArray<Counters> byCode = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(CODES));
    Counters counters = byCode.get(code.ordinal());
    if (counters == null) {
      // Two threads may both get here; Metrics hands both the same counters for the same labels.
      String labels = "method=\"" + method + "\",code=\"" + code + "\"";
      counters = new Counters(
          metrics.counter("kvdb_grpc_requests_total", "gRPC calls finished, by method and status code", labels),
          metrics.counter("kvdb_grpc_request_micros_total", "Time spent in gRPC calls, microseconds", labels));
      byCode.set(code.ordinal(), counters);
    }
    return counters;
  }
}
