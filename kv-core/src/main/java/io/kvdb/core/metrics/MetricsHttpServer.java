package io.kvdb.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side port of the leader and of each follower: Prometheus {@code /metrics} (the text the
 * process's registry scrapes, see {@code ProcessMetrics}) and {@code /health} (200 with a JSON body
 * while serving, 503 otherwise). Uses the JDK's HTTP server: two tiny endpoints do not need a
 * framework.
 */
public final class MetricsHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  private final HttpServer server;

  /** Health as shown on /health: serving or not, and a JSON object with details. */
  public record Health(boolean serving, String json) {}

  /** Serves {@code metrics} (Prometheus text, version 0.0.4) and {@code health} on host:port. */
  public MetricsHttpServer(String host, int port, Supplier<String> metrics, Supplier<Health> health) throws IOException {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (BindException e) {
      throw new BindException("cannot listen on " + host + ":" + port + " for /metrics and /health: " + e.getMessage());
    }
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "metrics-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/metrics", exchange -> {
      String text;
      try {
        text = metrics.get();
      } catch (RuntimeException e) {
        log.error("cannot render /metrics", e);
        respond(exchange, 500, "application/json", "{\"error\":\"metrics could not be rendered; see the log\"}");
        return;
      }
      respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", text);
    });
    server.createContext("/health", exchange -> {
      Health now = health.get();
      respond(exchange, now.serving() ? 200 : 503, "application/json", now.json());
    });
    server.createContext("/", exchange ->
        respond(exchange, 404, "application/json", "{\"error\":\"not found; try /metrics or /health\"}"));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
