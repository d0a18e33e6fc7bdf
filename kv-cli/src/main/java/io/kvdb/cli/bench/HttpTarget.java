package io.kvdb.cli.bench;

import io.kvdb.api.v1.LagSummary;
import io.kvdb.common.net.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's HTTP API ({@code POST /set}, {@code GET /get/:key}) through the JDK's client over
 * HTTP/1.1 (HTTPS with the CLI's TLS flags): connections are kept alive and reused, about one per
 * client thread, as wrk does. A
 * value goes as a JSON string, so the bytes given are sent as text (see {@link Values#text}).
 */
public final class HttpTarget implements Target {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern LIVE_FOLLOWER_LAG =
      Pattern.compile("\"alive\"\\s*:\\s*(true|false)[^{}]*?\"lag_ms\"\\s*:\\s*\"?(\\d+)");
  /** GET /cluster's {@code replication_lag} object (LagSummary: numbers only, no nested object). */
  private static final Pattern LAG_SUMMARY = Pattern.compile("\"replication_lag\"\\s*:\\s*\\{([^{}]*)}");
  private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-+0-9.eE]+)");

  private final HttpClient http;
  private final HostPort address;
  private final String base;
  private final Optional<String> authorization;

  /** A client of the gateway (or of a server with the same paths) at {@code address}. */
  public HttpTarget(HostPort address, HttpAccess access) {
    HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5));
    if (access.https()) {
      client.sslContext(access.sslContext());
    }
    this.http = client.build();
    this.address = address;
    this.base = (access.https() ? "https://" : "http://") + address;
    this.authorization = access.token().map(t -> "Bearer " + t);
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    // Keys are bench/<n> and values base64 text: neither needs JSON escapes.
    String body = "{\"key\":\"" + key + "\",\"value\":\"" + new String(value, StandardCharsets.US_ASCII) + "\"}";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/set"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    send(request);
  }

  @Override
  public void get(String key) throws CallFailed {
    send(HttpRequest.newBuilder(URI.create(base + "/get/" + URLEncoder.encode(key, StandardCharsets.UTF_8))).GET());
  }

  @Override
  public OptionalLong replicationLagMs() {
    String status;
    try {
      status = send(HttpRequest.newBuilder(URI.create(base + "/cluster")).GET());
    } catch (CallFailed e) {
      return OptionalLong.empty();
    }
    // Each follower object names "alive" before "lag_ms" (Cluster.Status field order); no nested
    // object comes between them.
    Matcher follower = LIVE_FOLLOWER_LAG.matcher(status);
    OptionalLong max = OptionalLong.empty();
    while (follower.find()) {
      if (follower.group(1).equals("true")) {
        long lag = Long.parseLong(follower.group(2));
        max = OptionalLong.of(Math.max(lag, max.orElse(0)));
      }
    }
    return max;
  }

  @Override
  public Optional<LagSummary> replicationLagSummary() {
    Matcher summary;
    try {
      summary = LAG_SUMMARY.matcher(send(HttpRequest.newBuilder(URI.create(base + "/cluster")).GET()));
    } catch (CallFailed e) {
      return Optional.empty();
    }
    if (!summary.find()) {
      return Optional.empty();
    }
    LagSummary.Builder lag = LagSummary.newBuilder();
    for (Matcher field = NUMBER_FIELD.matcher(summary.group(1)); field.find(); ) {
      double value = Double.parseDouble(field.group(2));
      switch (field.group(1)) {
        case "count" -> lag.setCount((long) value);
        case "p50_ms" -> lag.setP50Ms(value);
        case "p99_ms" -> lag.setP99Ms(value);
        case "p999_ms" -> lag.setP999Ms(value);
        case "max_ms" -> lag.setMaxMs(value);
        case "window_seconds" -> lag.setWindowSeconds((int) value);
        default -> { } // a field added later
      }
    }
    return Optional.of(lag.build());
  }

  private String send(HttpRequest.Builder request) throws CallFailed {
    authorization.ifPresent(value -> request.header("Authorization", value));
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(TIMEOUT).build(), BodyHandlers.ofString());
    } catch (IOException e) {
      // No status: the connection failed (refused, reset, timed out). Named by its kind.
      throw new CallFailed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallFailed("INTERRUPTED", "");
    }
    if (response.statusCode() != 200) {
      throw new CallFailed("HTTP " + response.statusCode(), response.body());
    }
    return response.body();
  }

  @Override
  public String describe() {
    return (base.startsWith("https") ? "https " : "http ") + address;
  }

  @Override
  public void close() {
    // The JDK's client (Java 17) has no close: its connections go with the process.
  }
}
