package io.kvdb.core.metrics;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.kvdb.common.metrics.ProcessMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Times every gRPC call the server finishes, from its start to its close:
 * {@code kvdb_grpc_requests_seconds}, a Prometheus histogram per method (full name, such as
 * {@code kv.v1.KV/Put}) and status code. Its {@code _count} is the number of calls.
 */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
  /** The meter's name; Prometheus shows it as {@code kvdb_grpc_requests_seconds}. */
  public static final String NAME = "kvdb.grpc.requests";
  private static final Context.Key<GrpcMetricsInterceptor> CURRENT = Context.key("kvdb-grpc-metrics");
  private static final int CODES = Status.Code.values().length;

  private final MeterRegistry registry;
  /**
   * The timers of each method, by status code, looked up once: every call passes here, and
   * building the label string for each one showed in profiles.
   */
  private final Map<String, AtomicReferenceArray<Timer>> byMethod = new ConcurrentHashMap<>();

  public GrpcMetricsInterceptor(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getType() == MethodType.UNARY) {
      return counted(call, headers, next);
    }
    // A stream of requests (KV/Session) counts each of them as its method's call, through the
    // Context; unary calls skip the Context's cost.
    return Contexts.interceptCall(Context.current().withValue(CURRENT, this), call, headers,
        (inContext, sameHeaders) -> counted(inContext, sameHeaders, next));
  }

  /**
   * The counting interceptor of the stream this thread serves, to be kept by a service that
   * answers many requests on one stream; null when none counts.
   */
  public static GrpcMetricsInterceptor current() {
    return CURRENT.get();
  }

  /** When a request a stream carries starts, for {@link #record}: the registry's monotonic clock, ns. */
  public long start() {
    return registry.config().clock().monotonicTime();
  }

  /** Counts one request a stream carried, begun at {@code started}, as a call of {@code method} that ended with {@code code}. */
  public void record(String method, Status.Code code, long started) {
    timerOf(method, code).record(start() - started, TimeUnit.NANOSECONDS);
  }

  private <Q, R> ServerCall.Listener<Q> counted(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Timer.Sample started = Timer.start(registry);
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        started.stop(timerOf(method, status.getCode()));
        super.close(status, trailers);
      }
    }, headers);
  }

  private Timer timerOf(String method, Status.Code code) {
    AtomicReferenceArray<Timer> byCode = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(CODES));
    Timer timer = byCode.get(code.ordinal());
    if (timer == null) {
      // Two threads may both get here; the registry hands both the same timer for the same tags.
      timer = Timer.builder(NAME)
          .description("gRPC calls finished, by method and status code: count and seconds from start to close")
          .tags("method", method, "code", code.name())
          .publishPercentileHistogram()
          .minimumExpectedValue(ProcessMetrics.LATENCY_MIN)
          .maximumExpectedValue(ProcessMetrics.LATENCY_MAX)
          .register(registry);
      byCode.set(code.ordinal(), timer);
    }
    return timer;
  }
}
