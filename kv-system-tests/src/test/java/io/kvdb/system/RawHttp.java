package io.kvdb.system;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/1.1 written by hand: any bytes as a request (what no HTTP client library would send: raw
 * control characters, broken escapes, bad chunking), over TCP or over a Unix socket of
 * {@link NetnsNetwork}, whose hosts the JDK's HTTP client cannot reach. One request per connection
 * ({@code Connection: close}), bounded in time.
 */
final class RawHttp {
  static final long TIMEOUT_SECONDS = 30;

  /** Status and body of a reply; the body is as sent (chunk sizes included, if chunked). */
  record Reply(int status, String body) {}

  private RawHttp() {}

  /** A request with {@code Connection: close} and, for a body, its Content-Length. */
  static byte[] request(String method, String target, String contentType, byte[] body) {
    String head = method + " " + target + " HTTP/1.1\r\nHost: kvdb\r\nConnection: close\r\n"
        + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
        + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[headBytes.length + (body == null ? 0 : body.length)];
    System.arraycopy(headBytes, 0, out, 0, headBytes.length);
    if (body != null) {
      System.arraycopy(body, 0, out, headBytes.length, body.length);
    }
    return out;
  }

  static Reply exchange(SocketAddress address, String method, String target, String json) {
    byte[] body = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
    return exchange(address, request(method, target, json == null ? null : "application/json", body));
  }

  /** Sends {@code request} as is and reads the reply until the server closes the connection. */
  static Reply exchange(SocketAddress address, byte[] request) {
    CompletableFuture<Reply> reply = CompletableFuture.supplyAsync(() -> send(address, request));
    try {
      return reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      reply.cancel(true);
      throw new AssertionError("no reply within " + TIMEOUT_SECONDS + " s to: " + preview(request), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("exchange failed for: " + preview(request), e.getCause());
    }
  }

  private static Reply send(SocketAddress address, byte[] request) {
    try (SocketChannel channel = SocketChannel.open(address)) {
      ByteBuffer out = ByteBuffer.wrap(request);
      while (out.hasRemaining()) {
        channel.write(out);
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
      // Read until the reply is complete by its own framing: servers may keep the connection a
      // while after "Connection: close" (Armeria does, for seconds), so EOF comes late.
      while (!complete(in.toString(StandardCharsets.ISO_8859_1)) && channel.read(buffer) >= 0) {
        in.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      String text = in.toString(StandardCharsets.UTF_8);
      if (!text.startsWith("HTTP/1.1 ")) {
        return new Reply(0, text); // closed without an answer
      }
      int bodyStart = text.indexOf("\r\n\r\n");
      return new Reply(Integer.parseInt(text.substring(9, 12)), bodyStart < 0 ? "" : text.substring(bodyStart + 4));
    } catch (IOException e) {
      // A server may reset a connection it refuses mid-request: no reply.
      return new Reply(0, e.toString());
    }
  }

  /** True once {@code received} holds a whole reply: headers, then Content-Length bytes or the last chunk. */
  private static boolean complete(String received) {
    int headEnd = received.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return false;
    }
    String head = received.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
    int at = head.indexOf("\r\ncontent-length:");
    if (at >= 0) {
      int end = head.indexOf("\r\n", at + 2);
      long length = Long.parseLong(head.substring(at + 17, end < 0 ? head.length() : end).trim());
      return received.length() - headEnd - 4 >= length; // ISO-8859-1: one char per byte
    }
    if (head.contains("\r\ntransfer-encoding: chunked")) {
      return received.endsWith("\r\n0\r\n\r\n");
    }
    return false; // the body ends with the connection
  }

  static String preview(byte[] request) {
    String text = new String(request, 0, Math.min(request.length, 300), StandardCharsets.UTF_8);
    return text.replace("\r\n", "\\r\\n") + (request.length > 300 ? "... (" + request.length + " bytes)" : "");
  }
}
