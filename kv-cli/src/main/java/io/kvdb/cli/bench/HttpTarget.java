package io.kvdb.cli.bench;

import io.kvdb.api.v1.LagSummary;
import io.kvdb.common.net.HostPort;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's HTTP API ({@code POST /set}, {@code GET /get/:key}) over HTTP/1.1 (HTTPS with the
 * CLI's TLS flags), through {@link HttpCalls}: connections are kept alive and reused, one per client
 * thread, as wrk does. A value goes as a JSON string, so the bytes given are sent as text (see
 * {@link Values#text}).
 */
public final class HttpTarget implements Target {
  private static final Pattern LIVE_FOLLOWER_LAG =
      Pattern.compile("\"alive\"\\s*:\\s*(true|false)[^{}]*?\"lag_ms\"\\s*:\\s*\"?(\\d+)");
  /** GET /cluster's {@code replication_lag} object (LagSummary: numbers only, no nested object). */
  private static final Pattern LAG_SUMMARY = Pattern.compile("\"replication_lag\"\\s*:\\s*\\{([^{}]*)}");
  private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*([-+0-9.eE]+)");

  private final HttpCalls http;
  private final String scheme;
  private final HostPort address;

  /** A client of the gateway (or of a server with the same paths) at {@code address}. */
  public HttpTarget(HostPort address, HttpAccess access) {
    this.http = new HttpCalls(address, access.https() ? Optional.of(access.sslContext()) : Optional.empty(),
        access.token().map(t -> "Bearer " + t));
    this.scheme = access.https() ? "https" : "http";
    this.address = address;
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    // Keys are bench/<n> and values base64 text: neither needs JSON escapes.
    String body = "{\"key\":\"" + key + "\",\"value\":\"" + new String(value, StandardCharsets.US_ASCII) + "\"}";
    try {
      check(http.postJson("/set", body));
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void get(String key) throws CallFailed {
    try {
      check(http.get("/get/" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public OptionalLong replicationLagMs() {
    String status;
    try {
      status = check(http.get("/cluster")).text();
    } catch (IOException | CallFailed e) {
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
      summary = LAG_SUMMARY.matcher(check(http.get("/cluster")).text());
    } catch (IOException | CallFailed e) {
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

  private static HttpCalls.Reply check(HttpCalls.Reply reply) throws CallFailed {
    if (reply.status() != 200) {
      throw new CallFailed("HTTP " + reply.status(), reply.text());
    }
    return reply;
  }

  /** No status: the connection failed (refused, reset, timed out). Named by its kind. */
  private static CallFailed failed(IOException e) {
    return new CallFailed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
  }

  @Override
  public String describe() {
    return scheme + " " + address;
  }

  @Override
  public void close() {
    http.close();
  }
}
