package io.kvdb.leader.replication;

import io.kvdb.core.process.Shutdown;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.config.Limits;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.LeaderLimits;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.Membership;
import io.kvdb.core.leader.SnapshotSource;
import io.kvdb.core.protocol.ZmqEndpoints;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The leader's end of the control channel (ROUTER): followers say hello, get their assignment,
 * ask for catch-up and snapshot chunks, and ack. The "kv-control" thread owns the socket and also
 * runs the membership tick (dead detection, re-placement) every heartbeat interval, so all
 * follower bookkeeping happens on one thread.
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

  private final ZMQ.Socket router;
  private final int port;
  private final String leaderId;
  private final long epoch;
  private final int shards;
  private final long heartbeatMs;
  private final Limits limits;
  private final Membership membership;
  private final LeaderReplicas replicas;
  private final CatchUpSource catchUp;
  private final SnapshotSource snapshots;
  private final LongSupplier clockMs;
  private final Thread thread;
  private volatile boolean running = true;

  public ControlServer(ZContext context, String host, int port, String leaderId, long epoch, int shards,
      long heartbeatMs, Limits limits, Membership membership, LeaderReplicas replicas, CatchUpSource catchUp,
      SnapshotSource snapshots, LongSupplier clockMs, Consumer<ZMQ.Socket> secure) {
    this.leaderId = leaderId;
    this.epoch = epoch;
    this.shards = shards;
    this.heartbeatMs = heartbeatMs;
    this.limits = limits;
    this.membership = membership;
    this.replicas = replicas;
    this.catchUp = catchUp;
    this.snapshots = snapshots;
    this.clockMs = clockMs;
    router = context.createSocket(SocketType.ROUTER);
    router.setRouterHandover(true); // a restarted follower takes over its routing id at once
    router.setLinger(0);
    router.setSndHWM(10_000);
    secure.accept(router); // CURVE (or nothing), before bind
    this.port = ZmqEndpoints.bind(router, host, port, "control ROUTER");
    thread = new Thread(this::run, "kv-control");
    thread.start();
  }

  public int port() {
    return port;
  }

  private void run() {
    long nextTick = clockMs.getAsLong();
    try {
      while (running) {
        router.setReceiveTimeOut((int) Math.max(1, Math.min(heartbeatMs, nextTick - clockMs.getAsLong())));
        byte[] identity = router.recv();
        if (identity != null) {
          receive(identity);
        }
        if (clockMs.getAsLong() >= nextTick) {
          tick();
          nextTick = clockMs.getAsLong() + heartbeatMs;
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        log.error("control channel stopped", e);
      }
    } finally {
      router.close();
    }
  }

  private void receive(byte[] identity) {
    String from = new String(identity, StandardCharsets.UTF_8);
    if (!router.hasReceiveMore()) {
      Frames.malformed(from, "a message with no body frame");
      return;
    }
    byte[] body = router.recv();
    while (router.hasReceiveMore()) {
      router.recv(); // extra frames are not part of the protocol
    }
    ControlMessage message = Frames.control(body, from);
    if (message == null) {
      return;
    }
    try {
      switch (message.getBodyCase()) {
        case HELLO -> hello(identity, message.getHello());
        case ACK -> ack(identity, message.getAck());
        case CATCH_UP_REQUEST -> send(identity, ControlMessage.newBuilder()
            .setCatchUpReply(catchUp.answer(message.getCatchUpRequest())).build());
        case SNAPSHOT_REQUEST -> send(identity, ControlMessage.newBuilder()
            .setSnapshotChunk(snapshots.next(message.getSnapshotRequest(), clockMs.getAsLong())).build());
        default -> Frames.malformed(from, "a " + message.getBodyCase() + " message, which only the leader sends");
      }
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      Frames.malformed(from, "a message with out-of-range fields (" + e.getMessage() + ")");
    }
  }

  private void hello(byte[] identity, Hello hello) {
    String id = hello.getFollowerId();
    String routingId = new String(identity, StandardCharsets.UTF_8);
    Welcome.Builder welcome = Welcome.newBuilder().setLeaderId(leaderId).setEpoch(epoch).setShards(shards)
        .setHeartbeatMs((int) heartbeatMs).setLimits(LeaderLimits.toWire(limits)).setAccepted(true);
    String refusal = refusal(hello, routingId);
    if (refusal != null) {
      log.warn("refused follower '{}': {}", id, refusal);
      send(identity, ControlMessage.newBuilder().setWelcome(welcome.setAccepted(false).setReason(refusal)).build());
      return;
    }
    Assignment assignment = membership.hello(id, hello.getAddress(), hello.getPositionsList(), clockMs.getAsLong());
    log.info("follower {} at {} said hello holding {} shard(s); assignment v{} with {} shard(s)", id,
        hello.getAddress(), hello.getPositionsCount(), assignment.getVersion(), assignment.getShardsCount());
    send(identity, ControlMessage.newBuilder().setWelcome(welcome).build());
    send(identity, ControlMessage.newBuilder().setAssignment(assignment).build());
    tick();
  }

  /** Why a hello is refused, or null. */
  private String refusal(Hello hello, String routingId) {
    String version = LeaderLimits.versionRefusal(hello.getProtocolVersion(), limits);
    if (version != null) {
      return version;
    }
    if (!Frames.isValidFollowerId(hello.getFollowerId()) || !hello.getFollowerId().equals(routingId)) {
      return "follower id '" + hello.getFollowerId() + "' is invalid or differs from the socket's routing id";
    }
    for (ShardPosition position : hello.getPositionsList()) {
      if (position.getShard() >= shards) {
        return "it holds shard " + position.getShard() + " but this cluster has " + shards + " shards";
      }
    }
    String synced = hello.getSyncedLeaderId();
    if (!synced.isEmpty() && !synced.equals(leaderId) && !hello.getAcceptNewLeader()) {
      return "it holds data from leader " + synced + ", not from this leader " + leaderId
          + "; it keeps its data. Restart it with --accept-new-leader to wipe it and copy this leader's data";
    }
    return null;
  }

  private void ack(byte[] identity, Ack ack) {
    if (!ack.getFollowerId().equals(new String(identity, StandardCharsets.UTF_8))) {
      Frames.malformed(ack.getFollowerId(), "an ack whose follower id differs from its routing id");
      return;
    }
    if (!replicas.onAck(ack)) {
      return; // unknown follower: it re-sends hello when it sees this leader's epoch
    }
    long now = clockMs.getAsLong();
    for (ShardPosition position : ack.getPositionsList()) {
      snapshots.release(position.getShard(), position.getAppliedSeq(), now);
    }
  }

  private void tick() {
    Map<String, Assignment> changed = membership.tick(clockMs.getAsLong());
    changed.forEach((id, assignment) ->
        send(id.getBytes(StandardCharsets.UTF_8), ControlMessage.newBuilder().setAssignment(assignment).build()));
    snapshots.release(-1, 0, clockMs.getAsLong());
  }

  private void send(byte[] identity, ControlMessage message) {
    router.sendMore(identity);
    router.send(message.toByteArray(), ZMQ.DONTWAIT);
  }

  @Override
  public void close() {
    running = false;
    Shutdown.join(thread);
    snapshots.close();
  }
}
