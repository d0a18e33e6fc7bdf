package io.kvdb.gateway.ops;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.common.logging.RequestOnlyLog;
import com.linecorp.armeria.common.metric.MeterIdPrefix;
import com.linecorp.armeria.common.metric.MeterIdPrefixFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerListener;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.healthcheck.HealthCheckService;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.server.prometheus.PrometheusExpositionService;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.common.metrics.ProcessMetrics;
import io.kvdb.gateway.v1.V1KvApi;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What operators use: {@code /docs} (Armeria DocService: the gRPC services and the HTTP API, with a
 * form to try them), {@code /health} (the gateway is up; it says nothing of the leader, whose state
 * {@code /cluster} shows, so that a load balancer does not restart gateways for a leader outage) and
 * {@code /metrics} (Prometheus: request counts and latencies per endpoint, labelled by route, and
 * the JVM and process meters every kvdb process shows).
 */
public final class OpsServices {
  /** Prefix of the request metrics: kvdb_gateway_requests_total, kvdb_gateway_total_duration_seconds... */
  public static final String METRIC_PREFIX = "kvdb.gateway";

  private final ProcessMetrics metrics = new ProcessMetrics();
  private final PrometheusMeterRegistry registry = metrics.registry();

  public OpsServices() {
    registry.config().meterFilter(new MeterFilter() {
      /**
       * Request durations as Prometheus histograms over the same buckets as the leader's and the
       * followers' gRPC latencies, instead of Armeria's client-side quantiles, which cannot be
       * added up over several gateways.
       */
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().startsWith(METRIC_PREFIX + ".")) {
          return config;
        }
        if (id.getType() == Meter.Type.DISTRIBUTION_SUMMARY) {
          // Request and response sizes: count, sum and max. Armeria's default quantiles cost a
          // time-windowed HdrHistogram each, recorded into three buffers for every request: a
          // tenth of the gateway's CPU per /get went to its metrics (docs/PERFORMANCE.md).
          return DistributionStatisticConfig.builder()
              .percentilesHistogram(false)
              .percentiles() // none
              .build()
              .merge(config);
        }
        if (id.getType() != Meter.Type.TIMER) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(true)
            .percentiles() // none
            .minimumExpectedValue((double) ProcessMetrics.LATENCY_MIN.toNanos())
            .maximumExpectedValue((double) ProcessMetrics.LATENCY_MAX.toNanos())
            .build()
            .merge(config);
      }
    });
  }

  /** Binds the registry to the server, and serves /docs, /health and /metrics. */
  public void configure(ServerBuilder sb) {
    sb.meterRegistry(registry);
    sb.serverListener(ServerListener.builder().whenStopped(server -> metrics.close()).build());
    sb.service("/health", HealthCheckService.of());
    sb.service("/metrics", PrometheusExpositionService.of(registry.getPrometheusRegistry()));
    sb.serviceUnder("/docs", DocService.builder()
        .exampleRequests(KVGrpc.SERVICE_NAME, "Put",
            PutRequest.newBuilder().setKey("hello").setValue(ByteString.copyFromUtf8("world")).build())
        .exampleRequests(KVGrpc.SERVICE_NAME, "Get", GetRequest.newBuilder().setKey("hello").build())
        .exampleRequests(KVGrpc.SERVICE_NAME, "List", ListRequest.newBuilder().setLimit(10).build())
        .exampleRequests(ClusterGrpc.SERVICE_NAME, "Status", StatusRequest.getDefaultInstance())
        // The form of PUT /v1/kv/{key} starts with a body to edit.
        .exampleRequests(V1KvApi.class, "put", "{\"value\": \"world\"}")
        .build());
  }

  /**
   * Counts and times the requests of the service it decorates. Armeria's default tags (service,
   * method, http_status) plus {@code route}, the endpoint's path pattern such as {@code /get/:key},
   * which is what an operator looks for.
   */
  public Function<? super HttpService, MetricCollectingService> requestMetrics() {
    return MetricCollectingService.newDecorator(new CachedPrefixes(MeterIdPrefixFunction.ofDefault(METRIC_PREFIX)
        .andThen((registry, log, prefix) -> prefix.withTags("route", routeOf(log.context())))));
  }

  /**
   * The meter names and tags of a request, made once per route, service, method and status
   * instead of for every request (each is a sorted list of five tags).
   */
  private static final class CachedPrefixes implements MeterIdPrefixFunction {
    private final MeterIdPrefixFunction made;
    private final Map<Key, MeterIdPrefix> active = new ConcurrentHashMap<>();
    private final Map<Key, MeterIdPrefix> complete = new ConcurrentHashMap<>();

    CachedPrefixes(MeterIdPrefixFunction made) {
      this.made = made;
    }

    @Override
    public MeterIdPrefix activeRequestPrefix(MeterRegistry registry, RequestOnlyLog log) {
      return active.computeIfAbsent(new Key(configOf(log.context()), log.serviceName(), log.name(), 0),
          key -> made.activeRequestPrefix(registry, log));
    }

    @Override
    public MeterIdPrefix completeRequestPrefix(MeterRegistry registry, RequestLog log) {
      return complete.computeIfAbsent(new Key(configOf(log.context()), log.serviceName(), log.name(),
          log.responseHeaders().status().code()), key -> made.completeRequestPrefix(registry, log));
    }

    private static Object configOf(RequestContext ctx) {
      return ctx instanceof ServiceRequestContext service ? service.config() : "unknown";
    }

    /** What the tags depend on: the service config (route, virtual host), service, method, status. */
    private record Key(Object config, String service, String name, int status) {}
  }

  private static String routeOf(RequestContext ctx) {
    return ctx instanceof ServiceRequestContext service ? service.config().route().patternString() : "unknown";
  }
}
