package io.kvdb.core.replication;

import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/** Binding and naming of ZeroMQ TCP endpoints. */
public final class ZmqEndpoints {
  private ZmqEndpoints() {}

  /**
   * Binds {@code socket} to {@code host:port} (port 0: any free port) and returns the bound port.
   *
   * @throws IllegalStateException with the endpoint when the port is taken or the host is invalid
   */
  public static int bind(ZMQ.Socket socket, String host, int port, String what) {
    String address = "tcp://" + ("0.0.0.0".equals(host) ? "*" : host);
    try {
      if (port == 0) {
        return socket.bindToRandomPort(address);
      }
      socket.bind(address + ":" + port);
      return port;
    } catch (ZMQException e) {
      throw new IllegalStateException("cannot bind the " + what + " socket to " + host + ":" + port
          + " (" + e.getMessage() + "); is another process using the port?", e);
    }
  }

  public static String tcp(String host, int port) {
    return "tcp://" + host + ":" + port;
  }
}
