package io.kvdb.core.protocol;

import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.msg.MsgAllocator;
import zmq.msg.MsgAllocatorThreshold;

/** Binding and naming of ZeroMQ TCP endpoints. */
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
   * Binds {@code socket} to {@code host:port} (port 0: any free port), capping the size of the
   * messages it accepts, and returns the bound port.
   *
   * @throws IllegalStateException with the endpoint when the port is taken or the host is invalid
   */
  public static int bind(ZMQ.Socket socket, String host, int port, String what) {
    socket.setMaxMsgSize(MAX_INBOUND_MESSAGE_BYTES);
    socket.setMsgAllocator(new BoundedAllocator());
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
