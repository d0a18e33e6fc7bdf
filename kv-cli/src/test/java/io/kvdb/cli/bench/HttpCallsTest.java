package io.kvdb.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvdb.common.net.HostPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HttpCalls} against a scripted HTTP/1.1 server on a real loopback socket: the framings a
 * server may choose, a connection the server closes, and the headers sent.
 */
@Timeout(30)
class HttpCallsTest {
  /**
   * Answers, per connection, the scripted responses in turn (each after reading one request's head
   * and body), then closes the connection; records each request's head.
   */
  private static final class ScriptedServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final List<String> heads = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();

    ScriptedServer(String... responsesPerConnection) throws IOException {
      Thread thread = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            connections.incrementAndGet();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            for (String response : responsesPerConnection) {
              StringBuilder head = new StringBuilder();
              int length = 0;
              for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.append(line).append('\n');
                if (line.toLowerCase().startsWith("content-length:")) {
                  length = Integer.parseInt(line.substring(15).trim());
                }
              }
              in.skip(length);
              heads.add(head.toString());
              out.write(response.getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            }
          } catch (IOException e) {
            // closed by the test, or the client went away: the next connection, if any
          }
        }
      }, "scripted-http");
      thread.setDaemon(true);
      thread.start();
    }

    HttpCalls client(Optional<String> authorization) {
      return new HttpCalls(new HostPort("127.0.0.1", socket.getLocalPort()), Optional.empty(), authorization);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void readsLengthAndChunkedBodiesOnOneKeptAliveConnection() throws Exception {
    try (ScriptedServer server = new ScriptedServer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        HttpCalls calls = server.client(Optional.of("Bearer t0k"))) {
      HttpCalls.Reply first = calls.postJson("/set", "{\"key\":\"k\"}");
      HttpCalls.Reply second = calls.get("/get/k");
      assertEquals(200, first.status());
      assertEquals("hello", first.text());
      assertEquals(404, second.status());
      assertEquals("abcde", second.text());
      assertEquals(1, server.connections.get());
      String post = server.heads.get(0);
      assertEquals("POST /set HTTP/1.1", post.lines().findFirst().orElseThrow());
      assertEquals(List.of("Authorization: Bearer t0k", "Content-Length: 11", "Content-Type: application/json"),
          post.lines().filter(l -> l.matches("(Authorization|Content-Length|Content-Type):.*")).sorted().toList());
    }
  }

  @Test
  void aNoContentAnswerHasNoBodyAndKeepsTheConnection() throws Exception {
    try (ScriptedServer server = new ScriptedServer("HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        HttpCalls calls = server.client(Optional.empty())) {
      assertEquals(204, calls.get("/a").status());
      assertEquals("ok", calls.get("/b").text());
      assertEquals(1, server.connections.get());
    }
  }

  @Test
  void aConnectionTheServerClosedIsReplacedAndTheRequestSentAgain() throws Exception {
    // One response per connection, without saying so: the second call finds its connection closed.
    try (ScriptedServer server = new ScriptedServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        HttpCalls calls = server.client(Optional.empty())) {
      assertEquals("ok", calls.get("/a").text());
      assertEquals("ok", calls.get("/b").text());
      assertEquals(2, server.connections.get());
    }
  }

  @Test
  void noServerIsAnIOException() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    try (HttpCalls calls = new HttpCalls(new HostPort("127.0.0.1", port), Optional.empty(), Optional.empty())) {
      assertThrows(IOException.class, () -> calls.get("/"));
    }
  }
}
