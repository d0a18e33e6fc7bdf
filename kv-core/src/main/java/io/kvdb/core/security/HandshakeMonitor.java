package io.kvdb.core.security;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Watches the handshakes of a client socket and logs why they fail, so that a follower the leader
 * refuses (a key not authorized, a wrong leader key, CURVE on one side only) says so in its log
 * instead of waiting silently. ZeroMQ retries on its own; each kind of failure is logged once, then
 * at most once a minute. The "kv-zmq-monitor" thread owns the monitor's PAIR socket; the watched
 * socket stays with its owner.
 */
public final class HandshakeMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HandshakeMonitor.class);
  private static final long LOG_EVERY_MS = 60_000;
  private static final int EVENTS = zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_SUCCEEDED | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
      | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

  private final ZMQ.Socket pair;
  private final String what;
  private final String hint;
  private final Thread thread;
  private volatile boolean running = true;
  private int lastEvent;
  private long lastLoggedMs;
  /** When the handshakes started failing (monotonic ms), 0 when the last one succeeded. */
  private final AtomicLong failingSinceMs = new AtomicLong();

  private HandshakeMonitor(ZMQ.Socket pair, String what, String hint) {
    this.pair = pair;
    this.what = what;
    this.hint = hint;
    thread = new Thread(this::run, "kv-zmq-monitor");
    thread.setDaemon(true);
  }

  /**
   * Starts watching {@code socket}; call on the thread that owns it, before it connects.
   *
   * @param what names the socket in the log, e.g. "the leader's control port"
   * @param hint what to check when the peer refuses us, e.g. which key to authorize
   */
  public static HandshakeMonitor watch(ZContext context, ZMQ.Socket socket, String what, String hint) {
    String endpoint = "inproc://kv-monitor-" + UUID.randomUUID();
    if (!socket.monitor(endpoint, EVENTS)) {
      throw new IllegalStateException("cannot monitor the socket to " + what);
    }
    ZMQ.Socket pair = context.createSocket(SocketType.PAIR);
    pair.setReceiveTimeOut(200);
    pair.connect(endpoint);
    HandshakeMonitor monitor = new HandshakeMonitor(pair, what, hint);
    monitor.thread.start();
    return monitor;
  }

  private void run() {
    try {
      while (running) {
        ZMQ.Event event = ZMQ.Event.recv(pair);
        if (event != null) {
          report(event);
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        log.debug("handshake monitor of {} stopped: {}", what, e.toString());
      }
    } finally {
      pair.close();
    }
  }

  private void report(ZMQ.Event event) {
    int kind = event.getEvent();
    long now = System.nanoTime() / 1_000_000;
    if (kind == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      failingSinceMs.set(0);
    } else {
      failingSinceMs.compareAndSet(0, Math.max(1, now));
    }
    boolean repeat = kind == lastEvent && now - lastLoggedMs < LOG_EVERY_MS;
    if (repeat) {
      return;
    }
    if (kind == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      if (lastEvent != 0) {
        log.info("handshake with {} succeeded", what);
      }
    } else if (kind == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
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

  private static String describe(int kind) {
    return kind == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol error" : "connection closed during it";
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
