package io.kvdb.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a network namespace of the test and forwards Unix sockets, which every namespace sees
 * through the file system, to TCP addresses that only this namespace can reach. Commands on stdin,
 * one per line, each answered on stdout:
 *
 * <ul>
 *   <li>{@code listen SOCKET_PATH HOST:PORT}: forwards the socket to the address; answers
 *       {@code ready SOCKET_PATH}
 *   <li>{@code probe HOST:PORT}: answers {@code open} when a TCP connection succeeds, else {@code closed}
 * </ul>
 *
 * <p>Exits when stdin closes. Plain JDK, so it starts from the test classes alone.
 */
public final class UdsRelay {
  private static final int CONNECT_TIMEOUT_MS = 3000;

  private UdsRelay() {}

  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] parts = line.trim().split(" ");
      if (parts[0].equals("listen")) {
        listen(Path.of(parts[1]), address(parts[2]));
        System.out.println("ready " + parts[1]);
      } else {
        System.out.println(probe(address(parts[1])) ? "open" : "closed");
      }
      System.out.flush();
    }
    System.exit(0); // stdin closed: the test is done with us
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static boolean probe(InetSocketAddress target) {
    try (SocketChannel channel = SocketChannel.open()) {
      channel.socket().connect(target, CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException notListening) {
      return false;
    }
  }

  private static void listen(Path socket, InetSocketAddress target) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    daemon("accept " + socket, () -> {
      while (true) {
        SocketChannel client = server.accept();
        daemon("relay " + target, () -> relay(client, target));
      }
    });
  }

  private static void relay(SocketChannel client, InetSocketAddress target) throws IOException {
    try (client; SocketChannel upstream = SocketChannel.open()) {
      // A bounded connect: a host whose link the test has cut would otherwise hold it for minutes.
      upstream.socket().connect(target, CONNECT_TIMEOUT_MS);
      Thread back = daemon("back " + target, () -> pump(upstream, client));
      pump(client, upstream);
      back.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pump(SocketChannel from, SocketChannel to) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException closed) {
      from.close();
      to.close();
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread daemon(String name, Body body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Exception e) {
        System.err.println(name + ": " + e);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
