package io.kvdb.cli.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One kept-alive HTTP/1.1 connection over a blocking socket (TLS when given a context), used by one
 * caller at a time: write the request, read the status line, the headers and a body framed by
 * {@code Content-Length} or chunked. Nothing else of HTTP is needed by a load tool that talks to
 * known servers, and so nothing else costs CPU (see docs/PERFORMANCE.md, "`./kv compare`").
 */
final class HttpConnection implements AutoCloseable {
  private static final int MAX_LINE = 8192;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final StringBuilder line = new StringBuilder(128);
  private boolean reusable = true;

  private HttpConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
  }

  /** Connects to {@code host:port}; HTTPS with {@code tls}, the server's name checked as browsers do. */
  static HttpConnection open(String host, int port, Optional<SSLContext> tls, int connectTimeoutMs, int readTimeoutMs)
      throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.connect(new InetSocketAddress(host, port), connectTimeoutMs);
      plain.setSoTimeout(readTimeoutMs);
      if (tls.isEmpty()) {
        return new HttpConnection(plain);
      }
      SSLSocket secure = (SSLSocket) tls.get().getSocketFactory().createSocket(plain, host, port, true);
      SSLParameters parameters = secure.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      secure.setSSLParameters(parameters);
      secure.startHandshake();
      return new HttpConnection(secure);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * Sends one request and reads its whole response.
   *
   * @param head the request line and headers, each ending in CRLF, without the blank line or
   *     {@code Content-Length} (added here when there is a body)
   * @param body the body, or null for none
   * @throws IOException when the connection failed; the connection is then unusable
   */
  HttpCalls.Reply exchange(String head, byte[] body) throws IOException {
    reusable = false;
    StringBuilder request = new StringBuilder(head.length() + 32).append(head);
    if (body != null) {
      request.append("Content-Length: ").append(body.length).append("\r\n");
    }
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.write(body);
    }
    out.flush();

    String statusLine = readLine();
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new ProtocolException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = statusLine.startsWith("HTTP/1.0");
    for (String header = readLine(); !header.isEmpty(); header = readLine()) {
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Long.parseLong(header.substring(15).trim());
      } else if (header.regionMatches(true, 0, "transfer-encoding:", 0, 18)) {
        chunked = header.substring(18).trim().equalsIgnoreCase("chunked");
      } else if (header.regionMatches(true, 0, "connection:", 0, 11)) {
        close = header.substring(11).trim().equalsIgnoreCase("close");
      }
    }
    byte[] content;
    if (status == 204 || status == 304 || status / 100 == 1) {
      content = new byte[0]; // no body, whatever the headers say (RFC 9112, 6.3)
    } else if (chunked) {
      content = readChunked();
    } else if (length >= 0) {
      content = readExactly(length);
    } else {
      // Neither: the body runs to the end of the connection.
      content = in.readAllBytes();
      close = true;
    }
    reusable = !close;
    return new HttpCalls.Reply(status, content);
  }

  /** Whether the last exchange left the connection ready for another one. */
  boolean reusable() {
    return reusable;
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    while (true) {
      String size = readLine();
      int extension = size.indexOf(';');
      long n = Long.parseLong((extension < 0 ? size : size.substring(0, extension)).trim(), 16);
      if (n == 0) {
        while (!readLine().isEmpty()) {
          // trailers: none of them matters here
        }
        return content.toByteArray();
      }
      content.writeBytes(readExactly(n));
      readLine();
    }
  }

  private byte[] readExactly(long n) throws IOException {
    if (n > Integer.MAX_VALUE - 8) {
      throw new ProtocolException("body of " + n + " bytes");
    }
    byte[] bytes = in.readNBytes((int) n);
    if (bytes.length < n) {
      throw new EOFException("connection closed after " + bytes.length + " of " + n + " body bytes");
    }
    return bytes;
  }

  private String readLine() throws IOException {
    line.setLength(0);
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
      }
      if (line.length() == MAX_LINE) {
        throw new ProtocolException("a header line longer than " + MAX_LINE + " bytes");
      }
      line.append((char) c);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing: nothing is left to do with this connection
    }
  }
}
