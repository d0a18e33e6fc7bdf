package io.kvdb.core.metrics;

import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gRPC latency histograms, on an in-process server whose calls take a known time on a mock clock. */
@Timeout(30)
class GrpcMetricsInterceptorTest {
  private static final String PUT_OK = "{code=\"OK\",method=\"kv.v1.KV/Put\"}";

  private final MockClock clock = new MockClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
  private Server server;
  private ManagedChannel channel;

  /** A Put that takes 3 ms of the mock clock; every other method is unimplemented. */
  private final class SlowPuts extends KVGrpc.KVImplBase {
    @Override
    public void put(PutRequest request, StreamObserver<WriteResponse> reply) {
      clock.add(Duration.ofMillis(3));
      reply.onNext(WriteResponse.getDefaultInstance());
      reply.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(new SlowPuts(), new GrpcMetricsInterceptor(registry)))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    registry.close();
  }

  @Test
  void eachCallIsTimedFromStartToCloseIntoAHistogramByMethodAndCode() {
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    kv.put(PutRequest.newBuilder().setKey("a").build());
    kv.put(PutRequest.newBuilder().setKey("b").build());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> kv.get(GetRequest.newBuilder().setKey("a").build()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());

    String scrape = registry.scrape();
    assertEquals(2, value(scrape, "kvdb_grpc_requests_seconds_count" + PUT_OK));
    assertEquals(0.006, value(scrape, "kvdb_grpc_requests_seconds_sum" + PUT_OK), 1e-9);
    assertEquals(1, value(scrape, "kvdb_grpc_requests_seconds_count{code=\"UNIMPLEMENTED\",method=\"kv.v1.KV/Get\"}"));

    // Every bucket below 3 ms is empty, every bucket from 3 ms up holds both calls.
    Matcher bucket = Pattern.compile("^kvdb_grpc_requests_seconds_bucket\\{code=\"OK\",method=\"kv.v1.KV/Put\",le=\"([^\"]+)\"} (\\S+)$",
        Pattern.MULTILINE).matcher(scrape);
    int buckets = 0;
    while (bucket.find()) {
      double le = bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1));
      assertEquals(le >= 0.003 ? 2 : 0, Double.parseDouble(bucket.group(2)), "bucket le=" + le);
      buckets++;
    }
    assertTrue(buckets > 20, "a percentile histogram, from 50 us to 10 s: " + buckets + " buckets\n" + scrape);
    assertTrue(scrape.contains("kvdb_grpc_requests_seconds_bucket{code=\"OK\",method=\"kv.v1.KV/Put\",le=\"5.0E-5\"} 0"),
        "the first bucket is 50 us:\n" + scrape);
  }
}
