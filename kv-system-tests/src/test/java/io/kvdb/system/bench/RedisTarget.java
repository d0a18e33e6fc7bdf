package io.kvdb.system.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Redis over RESP: one connection per benchmark thread, as redis-benchmark does. */
final class RedisTarget implements KvTarget {
  private final int port;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RedisTarget(int port) throws IOException {
    this.port = port;
    this.socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream());
  }

  @Override
  public KvTarget forThread() throws IOException {
    return new RedisTarget(port);
  }

  @Override
  public void put(String key, byte[] value) throws IOException {
    command("SET".getBytes(StandardCharsets.US_ASCII), key.getBytes(StandardCharsets.UTF_8), value);
  }

  @Override
  public void get(String key) throws IOException {
    command("GET".getBytes(StandardCharsets.US_ASCII), key.getBytes(StandardCharsets.UTF_8));
  }

  private void command(byte[]... parts) throws IOException {
    StringBuilder header = new StringBuilder("*").append(parts.length).append("\r\n");
    out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
    for (byte[] part : parts) {
      out.write(("$" + part.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(part);
      out.write('\r');
      out.write('\n');
    }
    out.flush();
    readReply();
  }

  private void readReply() throws IOException {
    int type = in.read();
    String line = readLine();
    switch (type) {
      case '+', ':' -> { }
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length >= 0) {
          in.readNBytes(length + 2);
        }
      }
      case '-' -> throw new IOException("redis: " + line);
      default -> throw new IOException("unexpected redis reply type " + type);
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("redis closed the connection");
      }
      line.append((char) c);
    }
    in.read(); // '\n'
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
