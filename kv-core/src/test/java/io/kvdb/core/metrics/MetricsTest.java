package io.kvdb.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsTest {
  @Test
  void rendersThePrometheusTextFormat() {
    Metrics metrics = new Metrics();
    metrics.counter("kvdb_b_total", "B things", "code=\"OK\"").add(3);
    metrics.counter("kvdb_b_total", "B things", "code=\"NOT_FOUND\"").increment();
    metrics.gauge("kvdb_a", "An a", "", () -> 1.5);
    metrics.gauge("kvdb_c", "A whole c", "", () -> 42);
    assertEquals("""
        # HELP kvdb_a An a
        # TYPE kvdb_a gauge
        kvdb_a 1.5
        # HELP kvdb_b_total B things
        # TYPE kvdb_b_total counter
        kvdb_b_total{code="NOT_FOUND"} 1
        kvdb_b_total{code="OK"} 3
        # HELP kvdb_c A whole c
        # TYPE kvdb_c gauge
        kvdb_c 42
        """, metrics.render());
  }

  @Test
  void sameCounterNameAndLabelsIsOneSeries() {
    Metrics metrics = new Metrics();
    metrics.counter("kvdb_x_total", "x", "").increment();
    metrics.counter("kvdb_x_total", "x", "").increment();
    assertEquals("# HELP kvdb_x_total x\n# TYPE kvdb_x_total counter\nkvdb_x_total 2\n", metrics.render());
  }

  @Test
  void healthIs503WhenNotServing() throws Exception {
    AtomicBoolean serving = new AtomicBoolean(true);
    try (MetricsHttpServer server = new MetricsHttpServer(InetAddress.getLoopbackAddress().getHostAddress(), 0,
        new Metrics(), () -> new MetricsHttpServer.Health(serving.get(), "{\"serving\":" + serving.get() + "}"))) {
      HttpClient http = HttpClient.newHttpClient();
      URI health = URI.create("http://127.0.0.1:" + server.port() + "/health");
      HttpResponse<String> up = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, up.statusCode());
      assertEquals("{\"serving\":true}", up.body());
      serving.set(false);
      HttpResponse<String> down = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, down.statusCode());
      assertEquals("application/json", down.headers().firstValue("Content-Type").orElse(""));
    }
  }
}
