package io.kvdb.core.security;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * Watches the handshakes of a client socket and logs why they fail, so that a follower the leader
 * refuses (a key not authorized, a wrong leader key, CURVE on one side only) says so in its log
 * instead of waiting silently. Each kind of failure is logged once, then at most once a minute.
 *
 * <p>The events come from a hook that ZeroMQ calls on its I/O thread, not through a monitor socket:
 * nothing to connect, no thread of our own, and no window in which an event can be missed. The
 * hook only updates a timestamp and logs.
 */
public final class HandshakeMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HandshakeMonitor.class);
  private static final long LOG_EVERY_MS = 60_000;
  private static final int EVENTS = zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_SUCCEEDED | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
      | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

  private final ZMQ.Socket socket;
  private final String what;
  private final String hint;
  /** Touched only by ZeroMQ's I/O thread, which calls the hook under the socket's monitor lock. */
  private ZMonitor.Event lastEvent;
  private long lastLoggedMs;
  /** When the handshakes started failing (monotonic ms), 0 when the last one succeeded. */
  private final AtomicLong failingSinceMs = new AtomicLong();

  private HandshakeMonitor(ZMQ.Socket socket, String what, String hint) {
    this.socket = socket;
    this.what = what;
    this.hint = hint;
  }

  /**
   * Starts watching {@code socket}; call before it connects.
   *
   * @param what names the socket in the log, e.g. "the leader's control port"
   * @param hint what to check when the peer refuses us, e.g. which key to authorize
   */
  public static HandshakeMonitor watch(ZMQ.Socket socket, String what, String hint) {
    HandshakeMonitor monitor = new HandshakeMonitor(socket, what, hint);
    if (!socket.setEventHook(event -> monitor.report(event.getEvent()), EVENTS)) {
      throw new IllegalStateException("cannot watch the handshakes of the socket to " + what);
    }
    return monitor;
  }

  private void report(ZMonitor.Event kind) {
    long now = System.nanoTime() / 1_000_000;
    if (kind == ZMonitor.Event.HANDSHAKE_SUCCEEDED) {
      failingSinceMs.set(0);
    } else {
      failingSinceMs.compareAndSet(0, Math.max(1, now));
    }
    boolean repeat = kind == lastEvent && now - lastLoggedMs < LOG_EVERY_MS;
    if (repeat) {
      return;
    }
    if (kind == ZMonitor.Event.HANDSHAKE_SUCCEEDED) {
      if (lastEvent != null) {
        log.info("handshake with {} succeeded", what);
      }
    } else if (kind == ZMonitor.Event.HANDSHAKE_FAILED_AUTH) {
      log.error("{} refused this process's key: {}", what, hint);
    } else {
      log.error("handshake with {} failed ({}): check that both ends use CURVE, or neither, and the leader's "
          + "public key given here; {}", what, describe(kind), hint);
    }
    lastEvent = kind;
    lastLoggedMs = now;
  }

  /**
   * Since when (monotonic ms, {@code System.nanoTime() / 1e6}) the handshakes have been failing;
   * 0 while the last one succeeded or none failed. ZeroMQ gives up on a session whose handshake
   * the peer refused, so the owner reconnects the socket when this stays set.
   */
  public long failingSinceMs() {
    return failingSinceMs.get();
  }

  /** The owner is reconnecting: forget the failure, so that only a new one sets it again. */
  public void retrying() {
    failingSinceMs.set(0);
  }

  private static String describe(ZMonitor.Event kind) {
    return kind == ZMonitor.Event.HANDSHAKE_FAILED_PROTOCOL ? "protocol error" : "connection closed during it";
  }

  /** Stops watching; call on the socket's owner thread, before the socket is closed. */
  @Override
  public void close() {
    socket.setEventHook(null, 0);
  }
}
