package io.kvdb.system;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's HTTP API ({@code POST /set}, {@code DELETE /delete/:key}) as a {@link Load.Writer},
 * counting how requests failed. The client's timeout is generous: a request that hangs shows as a
 * "timeout", which the gateway scenario does not allow.
 */
final class HttpWriter implements Load.Writer {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Map<String, String> examples = new ConcurrentHashMap<>();

  HttpWriter(String base) {
    this.base = base;
  }

  @Override
  public void put(String key, String value) throws IOException, InterruptedException {
    String body = "{\"key\": " + json(key) + ", \"value\": " + json(value) + "}";
    HttpResponse<String> reply = send(HttpRequest.newBuilder(URI.create(base + "/set"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    if (reply.statusCode() != 200) {
      throw failed(reply);
    }
  }

  @Override
  public boolean delete(String key) throws IOException, InterruptedException {
    HttpResponse<String> reply = send(HttpRequest.newBuilder(URI.create(base + "/delete/" + pathSegment(key))).DELETE());
    if (reply.statusCode() == 404 && reply.body().contains("Key not found")) {
      return false;
    }
    if (reply.statusCode() != 200) {
      throw failed(reply);
    }
    return true;
  }

  /** How many requests failed in each way so far: "connection refused", "HTTP 503", "timeout", ... */
  Map<String, Long> failures() {
    Map<String, Long> out = new TreeMap<>();
    failures.forEach((kind, count) -> out.put(kind, count.get()));
    return out;
  }

  /** The first failure of each kind, as the client saw it. */
  Map<String, String> examples() {
    return new TreeMap<>(examples);
  }

  long failures(String kind) {
    AtomicLong count = failures.get(kind);
    return count == null ? 0 : count.get();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    try {
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      count("timeout", e.toString());
      throw e;
    } catch (ConnectException e) {
      count("connection refused", e.toString());
      throw e;
    } catch (IOException e) {
      count("connection broken", e.toString());
      throw e;
    }
  }

  private IOException failed(HttpResponse<String> reply) {
    count("HTTP " + reply.statusCode(), reply.body());
    return new IOException("HTTP " + reply.statusCode() + ": " + reply.body());
  }

  private void count(String kind, String example) {
    failures.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    examples.putIfAbsent(kind, example);
  }

  /** One URL path segment: everything but unreserved characters percent-encoded. */
  static String pathSegment(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A JSON string literal. */
  static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
