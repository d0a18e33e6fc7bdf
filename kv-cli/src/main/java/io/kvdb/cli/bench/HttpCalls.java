package io.kvdb.cli.bench;

import io.kvdb.common.net.HostPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLContext;

/**
 * Blocking HTTP/1.1 calls to one server over kept-alive connections, one per concurrent caller (a
 * caller takes an idle connection or opens one, and gives it back after its call), as wrk keeps one
 * connection per client. Thread-safe.
 *
 * <p>Why not the JDK's {@code java.net.http.HttpClient}: measured against the same server, it spent
 * about ten times the CPU per request of this client, and on a small machine the load tool's CPU
 * capped every HTTP figure (docs/PERFORMANCE.md, "`./kv compare`").
 */
public final class HttpCalls implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int READ_TIMEOUT_MS = 30_000;

  private final HostPort address;
  private final Optional<SSLContext> tls;
  private final String headers;
  private final ConcurrentLinkedDeque<HttpConnection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  /**
   * @param address the server
   * @param tls HTTPS with this context; plain HTTP when empty
   * @param authorization the value of an {@code Authorization} header sent with every request
   */
  public HttpCalls(HostPort address, Optional<SSLContext> tls, Optional<String> authorization) {
    this.address = address;
    this.tls = tls;
    this.headers = " HTTP/1.1\r\nHost: " + address + "\r\n"
        + authorization.map(value -> "Authorization: " + value + "\r\n").orElse("");
  }

  /** A response: its status and body. */
  public record Reply(int status, byte[] body) {
    /** The body as UTF-8 text. */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** {@code GET path}. @throws IOException when no response came (refused, reset, timed out) */
  public Reply get(String path) throws IOException {
    return call("GET " + path + headers, null);
  }

  /** {@code POST path} with a JSON body. @throws IOException when no response came */
  public Reply postJson(String path, String json) throws IOException {
    return call("POST " + path + headers + "Content-Type: application/json\r\n",
        json.getBytes(StandardCharsets.UTF_8));
  }

  private Reply call(String head, byte[] body) throws IOException {
    HttpConnection connection = idle.pollFirst();
    if (connection != null) {
      try {
        return finish(connection, connection.exchange(head, body));
      } catch (IOException e) {
        // The server may have closed a connection that sat idle: the request goes once more, on a
        // new connection. (Both calls kv bench makes are idempotent.)
        connection.close();
      }
    }
    connection = HttpConnection.open(address.host(), address.port(), tls, CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
    try {
      return finish(connection, connection.exchange(head, body));
    } catch (IOException e) {
      connection.close();
      throw e;
    }
  }

  private Reply finish(HttpConnection connection, Reply reply) {
    if (connection.reusable() && !closed) {
      idle.offerFirst(connection);
    } else {
      connection.close();
    }
    return reply;
  }

  /** Closes the idle connections; one in use is closed when its call ends. */
  @Override
  public void close() {
    closed = true;
    for (HttpConnection connection = idle.poll(); connection != null; connection = idle.poll()) {
      connection.close();
    }
  }
}
