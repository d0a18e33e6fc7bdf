package io.kvdb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Ports for child processes, which must be told their ports before they start. */
public final class FreePorts {
  /**
   * Ports already handed out by this JVM. The OS may offer a port again as soon as the probe socket
   * closes, so two calls in a row could name the same port for two listeners of one process (seen:
   * a leader told to bind its gRPC and PUB ports to one number).
   */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port that was free on 127.0.0.1 a moment ago and that this JVM has not handed out before. */
  public static int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = probe();
      if (GIVEN.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no new free port after 100 attempts");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
