package io.kvdb.core.security;

import io.kvdb.core.process.Shutdown;
import io.kvdb.core.process.Supervisor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * The ZAP handler (ZeroMQ RFC 27) of a context: every CURVE handshake on a server socket of that
 * context asks it, and only clients whose public key is in the {@link AuthorizedKeys} are let in.
 * Anything else (another mechanism, a malformed request, an unknown key) is refused.
 *
 * <p>It must be running before a CURVE server socket of the context binds: with no handler on
 * {@link #ENDPOINT}, ZeroMQ lets every client with a valid handshake in. The "kv-zap" thread owns
 * the REP socket; it is created here and handed over at thread start.
 */
public final class ZapHandler implements AutoCloseable {
  /** Where ZeroMQ looks for the handler of a context (fixed by RFC 27). */
  public static final String ENDPOINT = "inproc://zeromq.zap.01";
  private static final Logger log = LoggerFactory.getLogger(ZapHandler.class);
  private static final String VERSION = "1.0";
  /** A refused key is logged once, then at most once a minute: a refused peer retries every 100 ms. */
  private static final long LOG_EVERY_MS = 60_000;
  private static final int MAX_LOGGED_KEYS = 1_000;

  private final ZMQ.Socket socket;
  private final AuthorizedKeys keys;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  /** Owned by the kv-zap thread: when each refused key was last logged. */
  private final Map<String, Long> lastLogged = new HashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  private ZapHandler(ZMQ.Socket socket, AuthorizedKeys keys, Supervisor supervisor) {
    this.socket = socket;
    this.keys = keys;
    thread = supervisor.start("kv-zap", this::run, () -> !running);
  }

  /**
   * Binds the handler in {@code context} and starts its thread under {@code supervisor}; returns
   * once it is bound.
   *
   * @throws IllegalStateException when the context already has a ZAP handler
   */
  public static ZapHandler start(ZContext context, AuthorizedKeys keys, Supervisor supervisor) {
    ZMQ.Socket socket = context.createSocket(SocketType.REP);
    socket.setLinger(0);
    socket.setReceiveTimeOut(200);
    try {
      socket.bind(ENDPOINT);
    } catch (ZMQException e) {
      socket.close();
      throw new IllegalStateException("cannot start the ZAP handler on " + ENDPOINT + ": " + e.getMessage(), e);
    }
    return new ZapHandler(socket, keys, supervisor);
  }

  /**
   * Runs under the supervisor. Without answers CURVE handshakes stall, so nobody new would get in:
   * that fails closed, but the process would look healthy, so its end is a death.
   */
  private void run() {
    try {
      while (running) {
        ZMsg request = ZMsg.recvMsg(socket);
        if (request != null) {
          answer(request);
        }
      }
    } finally {
      socket.close();
    }
  }

  /** Request frames: version, request id, domain, address, identity, mechanism, credentials... */
  private void answer(ZMsg request) {
    String version = request.popString();
    String requestId = request.popString();
    request.popString(); // domain: one policy for every socket of this context
    String address = request.popString();
    request.popString(); // identity
    String mechanism = request.popString();
    byte[] clientKey = request.size() == 1 ? request.pop().getData() : null;
    request.destroy();
    String z85 = clientKey != null && clientKey.length == ZMQ.Curve.KEY_SIZE ? ZMQ.Curve.z85Encode(clientKey) : null;
    boolean allowed = VERSION.equals(version) && "CURVE".equals(mechanism) && z85 != null && keys.allows(clientKey);
    if (allowed) {
      accepted.incrementAndGet();
      log.debug("replication connection from {} with CURVE key {} accepted", address, z85);
      reply(requestId, "200", "OK", z85);
    } else {
      refused.incrementAndGet();
      logRefusal(address, mechanism, z85);
      reply(requestId, "400", "key not authorized", "");
    }
  }

  private void logRefusal(String address, String mechanism, String z85) {
    String key = z85 == null ? "mechanism " + mechanism : z85;
    long now = System.nanoTime() / 1_000_000;
    Long last = lastLogged.get(key);
    if (last != null && now - last < LOG_EVERY_MS) {
      return;
    }
    if (lastLogged.size() >= MAX_LOGGED_KEYS) {
      lastLogged.clear();
    }
    lastLogged.put(key, now);
    log.warn("refused a replication connection from {}: CURVE public key {} is not in --curve-authorized-keys"
        + " ({} refused so far; repeats of this key are logged once a minute)", address, key, refused.get());
  }

  private void reply(String requestId, String code, String text, String userId) {
    ZMsg reply = new ZMsg();
    reply.add(VERSION);
    reply.add(requestId == null ? "" : requestId);
    reply.add(code);
    reply.add(text);
    reply.add(userId);
    reply.add(new byte[0]); // no metadata
    reply.send(socket);
  }

  /** Handshakes let in so far. */
  public long accepted() {
    return accepted.get();
  }

  /** Handshakes refused so far. */
  public long refused() {
    return refused.get();
  }

  /** Stops the thread and closes the socket; call before closing the context. */
  @Override
  public void close() {
    running = false;
    Shutdown.join(thread);
  }
}
