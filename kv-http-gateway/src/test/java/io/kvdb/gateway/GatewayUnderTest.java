package io.kvdb.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.leader.LeaderClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * A gateway server started as main starts it ({@link GatewayMain#newServer}), on 127.0.0.1 and a free
 * port, and a plain JDK HTTP client to call it, so the tests see exactly what a client sees on the
 * wire. {@link #as} gives a caller that sends a bearer token with every request.
 */
final class GatewayUnderTest implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Server server;
  private final String scheme;
  private final HttpClient client;
  /** Sent as {@code Authorization: Bearer <token>} with every request; null: no header. */
  private final String token;
  /** Whether {@link #close} stops the server: false for the views {@link #as} makes. */
  private final boolean owner;

  private GatewayUnderTest(Server server, String scheme, HttpClient client, String token, boolean owner) {
    this.server = server;
    this.scheme = scheme;
    this.client = client;
    this.token = token;
    this.owner = owner;
  }

  static GatewayUnderTest start(GatewayConfig config) {
    return start(config, (SSLContext) null);
  }

  /** A gateway that may speak HTTPS; the client trusts {@code tls} (null: the JDK's defaults). */
  static GatewayUnderTest start(GatewayConfig config, SSLContext tls) {
    return start(GatewayMain.newServer(config), config, tls);
  }

  /** A gateway that reaches the leader through {@code leader}, e.g. over a channel the test watches. */
  static GatewayUnderTest start(GatewayConfig config, LeaderClient leader) {
    return start(GatewayMain.newServer(config, leader), config, null);
  }

  private static GatewayUnderTest start(Server server, GatewayConfig config, SSLContext tls) {
    server.start().join();
    HttpClient.Builder client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
    if (tls != null) {
      client.sslContext(tls);
    }
    return new GatewayUnderTest(server, config.scheme(), client.build(), null, true);
  }

  /** The same gateway, called by a client that sends {@code token} (closing it is a no-op). */
  GatewayUnderTest as(String token) {
    return new GatewayUnderTest(server, scheme, client, token, false);
  }

  int port() {
    return server.activeLocalPort();
  }

  /** A reply: status, headers, body as text, and the body as JSON. */
  record Reply(int status, HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String error() {
      return json().path("error").asText(null);
    }

    String contentType() {
      return headers.firstValue("content-type").orElse("");
    }
  }

  /** {@code key} as one path segment: every reserved character percent-encoded, space as %20. */
  static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  URI uri(String pathAndQuery) {
    return URI.create(scheme + "://127.0.0.1:" + server.activeLocalPort() + pathAndQuery);
  }

  Reply get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  Reply delete(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)).DELETE());
  }

  Reply postJson(String pathAndQuery, String body) {
    return post(pathAndQuery, "application/json", body);
  }

  Reply post(String pathAndQuery, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).POST(BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request);
  }

  Reply put(String pathAndQuery, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).PUT(BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(request);
  }

  /** POST /set of {@code {"key": key, "value": value}}, built with Jackson so any text is escaped right. */
  Reply set(String key, String value) {
    return postJson("/set", JSON.createObjectNode().put("key", key).put("value", value).toString());
  }

  Reply send(HttpRequest.Builder request) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      var response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
          BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET whose body the caller reads as it arrives. */
  java.net.http.HttpResponse<java.io.InputStream> stream(String pathAndQuery) {
    try {
      return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build(), BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (owner) {
      server.stop().join();
    }
  }
}
