package io.kvdb.compare.targets;

import io.kvdb.cli.bench.HttpCalls;
import io.kvdb.cli.bench.Target;
import io.kvdb.common.net.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * etcd 3.4's JSON gateway (grpc-gateway, on the client port): {@code POST /v3/kv/put} and
 * {@code POST /v3/kv/range} with keys and values base64 in the JSON body, through the same HTTP/1.1
 * client as kv bench's HTTP target ({@link HttpCalls}), so the two HTTP rows cost the client alike.
 */
public final class EtcdHttpTarget implements Target {
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private final HttpCalls http;
  private final String base;

  /** A client of etcd's client port at 127.0.0.1:{@code port}. */
  public EtcdHttpTarget(int port) {
    this.http = new HttpCalls(new HostPort("127.0.0.1", port), Optional.empty(), Optional.empty());
    this.base = "http://127.0.0.1:" + port;
  }

  @Override
  public void put(String key, byte[] value) throws CallFailed {
    post("/v3/kv/put", "{\"key\":\"" + base64(key.getBytes(StandardCharsets.UTF_8)) + "\",\"value\":\""
        + base64(value) + "\"}");
  }

  @Override
  public void get(String key) throws CallFailed {
    // A key that is there comes back in "kvs"; a missing one gives a header and no "kvs".
    if (!post("/v3/kv/range", "{\"key\":\"" + base64(key.getBytes(StandardCharsets.UTF_8)) + "\"}")
        .contains("\"kvs\"")) {
      throw new CallFailed("NOT_FOUND", "no key " + key);
    }
  }

  private String post(String path, String json) throws CallFailed {
    HttpCalls.Reply reply;
    try {
      reply = http.postJson(path, json);
    } catch (IOException e) {
      throw new CallFailed(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    }
    if (reply.status() != 200) {
      throw new CallFailed("HTTP " + reply.status(), reply.text());
    }
    return reply.text();
  }

  private static String base64(byte[] bytes) {
    return BASE64.encodeToString(bytes);
  }

  @Override
  public OptionalLong replicationLagMs() {
    return OptionalLong.empty();
  }

  @Override
  public String describe() {
    return "etcd http " + base;
  }

  @Override
  public void close() {
    http.close();
  }
}
