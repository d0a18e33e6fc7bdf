package io.kvdb.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bare HTTP/1.1 exchange over a Unix socket of {@link NetnsNetwork} (the JDK's HTTP client speaks
 * TCP only): enough for a few checks of a gateway running on a host of its own.
 */
final class UdsHttp {
  /** Status and body of a reply; the body is as sent (chunk sizes included, if chunked). */
  record Reply(int status, String body) {}

  private UdsHttp() {}

  static Reply exchange(Path socket, String method, String path, String jsonBody) {
    CompletableFuture<Reply> reply = CompletableFuture.supplyAsync(() -> send(socket, method, path, jsonBody));
    try {
      return reply.get(HttpWriter.REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      reply.cancel(true);
      throw new AssertionError(method + " " + path + " got no reply within " + HttpWriter.REQUEST_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(method + " " + path + " failed", e.getCause());
    }
  }

  private static Reply send(Path socket, String method, String path, String jsonBody) {
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n"
        + (jsonBody == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n";
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer out = ByteBuffer.allocate(head.length() * 4 + body.length);
      out.put(head.getBytes(StandardCharsets.UTF_8)).put(body).flip();
      while (out.hasRemaining()) {
        channel.write(out);
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
      while (channel.read(buffer) >= 0) { // Connection: close: the reply ends with the connection
        in.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      String text = in.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(text.indexOf(' ') + 1, text.indexOf(' ') + 4));
      int bodyStart = text.indexOf("\r\n\r\n");
      return new Reply(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
