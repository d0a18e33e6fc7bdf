package io.kvdb.follower;

import io.kvdb.common.net.HostPort;
import io.kvdb.core.follower.DataFrame;
import io.kvdb.core.follower.Outbox;
import io.kvdb.core.protocol.Topics;
import io.kvdb.core.protocol.ZmqEndpoints;
import io.kvdb.core.security.HandshakeMonitor;
import io.kvdb.replication.v1.ControlMessage;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The follower's link to the leader: the only owner of the SUB socket (events and heartbeats of
 * its shards), the DEALER socket (hello, catch-up, snapshots, acks) and their poller. It moves
 * bytes and nothing else; what they mean is {@link io.kvdb.core.follower.FollowerSync}'s business.
 * ZeroMQ sockets are not thread-safe: every call comes from the replication thread ("kv-replica").
 */
final class LeaderLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderLink.class);
  /**
   * A connection whose ZeroMQ handshake has not finished by then is dropped and made again.
   * ZeroMQ's default is 30 s; a greeting that stalls (seen now and then on a loaded machine) would
   * keep the follower out of touch that long.
   */
  private static final int HANDSHAKE_TIMEOUT_MS = 3_000;
  /** Handshakes refused for this long: connect both sockets again (see {@link #reconnectIfRefused}). */
  private static final long RECONNECT_AFTER_MS = 5_000;

  private final String pubEndpoint;
  private final String controlEndpoint;
  private final ZMQ.Socket sub;
  private final ZMQ.Socket dealer;
  private final ZMQ.Poller poller;
  private final HandshakeMonitor handshakes;

  LeaderLink(FollowerConfig config, String id, ZContext context) {
    sub = context.createSocket(SocketType.SUB);
    sub.setRcvHWM(200_000);
    sub.setLinger(0);
    sub.setHandshakeIvl(HANDSHAKE_TIMEOUT_MS);
    config.curve().ifPresent(curve -> curve.secure(sub)); // CURVE options must precede connect
    pubEndpoint = ZmqEndpoints.connect(sub, config.leaderHost(), config.leaderPubPort());
    dealer = context.createSocket(SocketType.DEALER);
    dealer.setIdentity(id.getBytes(StandardCharsets.UTF_8));
    dealer.setLinger(0);
    dealer.setReconnectIVL(100);
    dealer.setHandshakeIvl(HANDSHAKE_TIMEOUT_MS);
    config.curve().ifPresent(curve -> curve.secure(dealer));
    // The control socket's handshakes tell why a leader that uses (or does not use) CURVE keeps us out.
    handshakes = HandshakeMonitor.watch(dealer, "the leader's control port "
        + new HostPort(config.leaderHost(), config.leaderControlPort()), config.curve()
            .map(c -> "add this follower's public key " + c.keys().publicKey() + " to the leader's --curve-authorized-keys")
            .orElse("the leader may require CURVE: give --curve-key-file and --leader-curve-public-key"));
    controlEndpoint = ZmqEndpoints.connect(dealer, config.leaderHost(), config.leaderControlPort());
    poller = context.createPoller(2);
    poller.register(sub, ZMQ.Poller.POLLIN);
    poller.register(dealer, ZMQ.Poller.POLLIN);
  }

  /** Waits up to {@code timeoutMs} for input on either socket. */
  void poll(long timeoutMs) {
    poller.poll(timeoutMs);
  }

  boolean controlReady() {
    return poller.pollin(1);
  }

  boolean dataReady() {
    return poller.pollin(0);
  }

  /** The next frame from the control socket, or null when none is waiting. Extra frames are dropped. */
  byte[] nextControl() {
    byte[] frame = dealer.recv(ZMQ.DONTWAIT);
    if (frame != null) {
      while (dealer.hasReceiveMore()) {
        dealer.recv(); // extra frames are not part of the protocol
      }
    }
    return frame;
  }

  /** The next message from the PUB socket, or null when none is waiting. */
  DataFrame nextData() {
    byte[] topic = sub.recv(ZMQ.DONTWAIT);
    if (topic == null) {
      return null;
    }
    byte[] body = sub.hasReceiveMore() ? sub.recv() : null;
    while (sub.hasReceiveMore()) {
      sub.recv();
    }
    return new DataFrame(topic, body);
  }

  /** Carries out what the sync asked for, then clears it. */
  void flush(Outbox outbox) {
    for (int shard : outbox.subscribe()) {
      sub.subscribe(Topics.of(shard));
    }
    for (int shard : outbox.unsubscribe()) {
      sub.unsubscribe(Topics.of(shard));
    }
    for (ControlMessage message : outbox.messages()) {
      dealer.send(message.toByteArray(), ZMQ.DONTWAIT);
    }
    outbox.clear();
  }

  /**
   * ZeroMQ gives up on a session whose handshake the leader refused (a CURVE key not yet
   * authorized, CURVE on one side only) and never retries it. Reconnecting both sockets now and
   * then means fixing the leader's side is enough: no follower restart.
   */
  void reconnectIfRefused(long nowMs) {
    long failingSince = handshakes.failingSinceMs();
    if (failingSince == 0 || nowMs - failingSince < RECONNECT_AFTER_MS) {
      return;
    }
    handshakes.retrying();
    log.debug("handshake with the leader failed: connecting again");
    reconnect(dealer, controlEndpoint);
    reconnect(sub, pubEndpoint);
  }

  private static void reconnect(ZMQ.Socket socket, String endpoint) {
    try {
      socket.disconnect(endpoint);
    } catch (ZMQException notConnected) {
      // the refused session is already gone
    }
    socket.connect(endpoint);
  }

  @Override
  public void close() {
    poller.close();
    handshakes.close();
    sub.close();
    dealer.close();
  }
}
