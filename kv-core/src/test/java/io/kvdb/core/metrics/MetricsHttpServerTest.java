package io.kvdb.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsHttpServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void healthIs503WhenNotServing() throws Exception {
    AtomicBoolean serving = new AtomicBoolean(true);
    try (MetricsHttpServer server = server(() -> "", () ->
        new MetricsHttpServer.Health(serving.get(), "{\"serving\":" + serving.get() + "}"))) {
      HttpResponse<String> up = get(server, "/health");
      assertEquals(200, up.statusCode());
      assertEquals("{\"serving\":true}", up.body());
      serving.set(false);
      HttpResponse<String> down = get(server, "/health");
      assertEquals(503, down.statusCode());
      assertEquals("{\"serving\":false}", down.body());
      assertEquals("application/json", down.headers().firstValue("Content-Type").orElse(""));
    }
  }

  @Test
  void metricsServeTheScrapeAsPrometheusText() throws Exception {
    try (MetricsHttpServer server = server(() -> "# TYPE kvdb_x gauge\nkvdb_x 1.0\n", MetricsHttpServerTest::up)) {
      HttpResponse<String> metrics = get(server, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElse(""));
      assertEquals("# TYPE kvdb_x gauge\nkvdb_x 1.0\n", metrics.body());
      assertEquals(404, get(server, "/nope").statusCode());
    }
  }

  @Test
  void aScrapeThatFailsIsA500AndTheServerKeepsServing() throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    try (MetricsHttpServer server = server(() -> {
      if (broken.get()) {
        throw new IllegalStateException("a gauge failed");
      }
      return "kvdb_x 1.0\n";
    }, MetricsHttpServerTest::up)) {
      HttpResponse<String> failed = get(server, "/metrics");
      assertEquals(500, failed.statusCode());
      assertTrue(failed.body().contains("\"error\""), failed.body());
      broken.set(false);
      assertEquals(200, get(server, "/metrics").statusCode());
      assertEquals(200, get(server, "/health").statusCode());
    }
  }

  private static MetricsHttpServer.Health up() {
    return new MetricsHttpServer.Health(true, "{}");
  }

  private static MetricsHttpServer server(Supplier<String> metrics, Supplier<MetricsHttpServer.Health> health)
      throws Exception {
    return new MetricsHttpServer(InetAddress.getLoopbackAddress().getHostAddress(), 0, metrics, health);
  }

  private HttpResponse<String> get(MetricsHttpServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
