package io.kvdb.core.protocol;

import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/**
 * Binding, connecting and naming of ZeroMQ TCP endpoints, for every host a flag accepts: a name,
 * an IPv4 address, or an IPv6 address (written without brackets, as {@code HostPort} gives it).
 */
public final class ZmqEndpoints {
  /**
   * Largest message a listening socket accepts. ZeroMQ allocates a frame's buffer as soon as its
   * size header arrives, so without a cap one forged header ("2 GiB follow") from anyone who can
   * connect kills the context's I/O thread with OutOfMemoryError and replication stops. What
   * followers send is far smaller: a hello for all 65,536 shards is about 2 MiB.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 << 20;

  private ZmqEndpoints() {}

  /**
   * Binds {@code socket} to {@code host:port} (port 0: any free port; host 0.0.0.0: every IPv4
   * interface), capping the size of the messages it accepts, and returns the bound port.
   *
   * @throws IllegalStateException with the endpoint when the port is taken or the host is invalid
   */
  public static int bind(ZMQ.Socket socket, String host, int port, String what) {
    socket.setMaxMsgSize(MAX_INBOUND_MESSAGE_BYTES);
    socket.setMsgAllocator(new BoundedAllocator());
    allowIpv6(socket, host);
    String address = "tcp://" + ("0.0.0.0".equals(host) ? "*" : literal(host));
    try {
      if (port == 0) {
        return socket.bindToRandomPort(address);
      }
      socket.bind(address + ":" + port);
      return port;
    } catch (ZMQException e) {
      throw new IllegalStateException("cannot bind the " + what + " socket to " + literal(host) + ":" + port
          + " (" + e.getMessage() + "); is another process using the port?", e);
    }
  }

  /**
   * Connects {@code socket} to {@code host:port}, IPv6-enabling it first for an IPv6 host, and
   * returns the endpoint (to disconnect from or connect to again later).
   */
  public static String connect(ZMQ.Socket socket, String host, int port) {
    String endpoint = tcp(host, port);
    allowIpv6(socket, host);
    socket.connect(endpoint);
    return endpoint;
  }

  /**
   * The endpoint {@code tcp://HOST:PORT}, an IPv6 host in brackets ({@code tcp://[::1]:5555}). A
   * socket reaches an IPv6 endpoint only once IPv6-enabled: {@link #connect} does both.
   */
  public static String tcp(String host, int port) {
    return "tcp://" + literal(host) + ":" + port;
  }

  /** Names and IPv4 addresses hold no colon; an IPv6 address holds at least two. */
  private static boolean isIpv6(String host) {
    return host.indexOf(':') >= 0;
  }

  private static String literal(String host) {
    return isIpv6(host) && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * jeromq resolves a host to IPv4 addresses only, unless the socket is IPv6-enabled; then it
   * prefers IPv6. Enabled for an IPv6 address alone, so that a name ("localhost") still resolves to
   * the IPv4 address that a leader bound to 0.0.0.0 listens on.
   */
  private static void allowIpv6(ZMQ.Socket socket, String host) {
    if (isIpv6(host)) {
      socket.setIPv6(true);
    }
  }

  /**
   * jeromq 0.6.0 compares a frame's 64-bit size with the cap as a signed number: a size with the
   * top bit set passes, is cast to an int and reaches the allocator negative (the I/O thread dies
   * of NegativeArraySizeException) or as up to 2 GiB (OutOfMemoryError). Such a frame gets an
   * empty buffer here instead; the stream that follows is garbage that the decoder or the
   * protocol drops.
   */
  private static final class BoundedAllocator implements MsgAllocator {
    private final MsgAllocator delegate = new MsgAllocatorThreshold();

    @Override
    public Msg allocate(int size) {
      return delegate.allocate(size >= 0 && size <= MAX_INBOUND_MESSAGE_BYTES ? size : 0);
    }
  }
}
