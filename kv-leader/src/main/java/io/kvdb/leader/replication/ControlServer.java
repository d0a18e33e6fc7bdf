package io.kvdb.leader.replication;

import io.kvdb.core.process.Shutdown;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.config.Limits;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.LeaderLimits;
import io.kvdb.core.protocol.Refusals;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.Membership;
import io.kvdb.core.leader.SnapshotSource;
import io.kvdb.core.protocol.ZmqEndpoints;
import io.kvdb.core.security.CurveServer;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;
import io.kvdb.replication.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import zmq.Msg;
import zmq.io.Metadata;

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
  private final ControlAccess access;
  private final ControlLog controlLog = new ControlLog();
  private final Thread thread;
  private final Function<Hello, String> helloRefusal;
  private volatile boolean running = true;

  public ControlServer(ZContext context, String host, int port, String leaderId, long epoch, int shards,
      long heartbeatMs, Limits limits, Membership membership, LeaderReplicas replicas, CatchUpSource catchUp,
      SnapshotSource snapshots, LongSupplier clockMs, Optional<CurveServer> curve, Supervisor supervisor) {
    this(context, host, port, leaderId, epoch, shards, heartbeatMs, limits, membership, replicas, catchUp, snapshots,
        clockMs, curve, supervisor, hello -> null);
  }

  /**
   * As above; {@code helloRefusal} may refuse a hello for a reason of the leader's data (a rebuilt
   * leader's followers that hold writes it did not get): it returns why, or null.
   */
  public ControlServer(ZContext context, String host, int port, String leaderId, long epoch, int shards,
      long heartbeatMs, Limits limits, Membership membership, LeaderReplicas replicas, CatchUpSource catchUp,
      SnapshotSource snapshots, LongSupplier clockMs, Optional<CurveServer> curve, Supervisor supervisor,
      Function<Hello, String> helloRefusal) {
    this.helloRefusal = helloRefusal;
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
    this.access = new ControlAccess(membership, curve.map(CurveServer::authorized));
    router = context.createSocket(SocketType.ROUTER);
    router.setRouterHandover(true); // a restarted follower takes over its routing id at once
    router.setLinger(0);
    router.setSndHWM(10_000);
    curve.ifPresent(c -> c.secure(router)); // before bind
    this.port = ZmqEndpoints.bind(router, host, port, "control ROUTER");
    thread = supervisor.start("kv-control", this::run, () -> !running);
  }

  public int port() {
    return port;
  }

  /**
   * Runs under the supervisor: a failing message is answered and the loop goes on, but a failure
   * of the socket or of the membership tick ends it, and the supervisor reports it.
   */
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
    Msg body = router.recvMsg(0);
    while (router.hasReceiveMore()) {
      router.recv(); // extra frames are not part of the protocol
    }
    ControlMessage message = Frames.control(body.data(), from);
    if (message == null) {
      return;
    }
    // Each message on its own: one that fails is answered with an error, and the channel goes on
    // serving every other follower.
    try {
      // With CURVE, ZeroMQ tags each message with the sender's key (the ZAP handler's user id).
      String keyRefusal = access.keyRefusal(from, body.getMetadata() == null ? null
          : body.getMetadata().get(Metadata.USER_ID));
      if (keyRefusal != null) {
        refuse(identity, from, "a " + message.getBodyCase(), message, keyRefusal);
        return;
      }
      switch (message.getBodyCase()) {
        case HELLO -> hello(identity, message.getHello());
        case ACK -> ack(identity, message.getAck());
        case CATCH_UP_REQUEST -> catchUp(identity, from, message.getCatchUpRequest());
        case SNAPSHOT_REQUEST -> snapshot(identity, from, message.getSnapshotRequest());
        default -> Frames.malformed(from, "a " + message.getBodyCase() + " message, which only the leader sends");
      }
      startWaitingSnapshots();
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      Frames.malformed(from, "a message with out-of-range fields (" + e.getMessage() + ")");
      answerError(identity, message, false, "it has out-of-range fields (" + e.getMessage() + ")");
    } catch (RuntimeException e) {
      controlLog.failed(from, message.getBodyCase(), e);
      answerError(identity, message, false, "the leader could not handle it: " + e.getMessage());
    }
  }

  private void catchUp(byte[] identity, String from, CatchUpRequest request) {
    int shard = request.getFrom().getShard();
    if (!access.mayFetch(from, shard)) {
      refuse(identity, from, "a catch-up of shard " + shard, ControlMessage.newBuilder().setCatchUpRequest(request)
          .build(), access.whyNot(from, shard));
      return;
    }
    send(identity, ControlMessage.newBuilder().setCatchUpReply(catchUp.answer(request)).build());
  }

  private void snapshot(byte[] identity, String from, SnapshotRequest request) {
    int shard = request.getShard();
    if (!access.mayFetch(from, shard)) {
      refuse(identity, from, "a snapshot request of shard " + shard, ControlMessage.newBuilder()
          .setSnapshotRequest(request).build(), access.whyNot(from, shard));
      return;
    }
    snapshots.next(from, request, clockMs.getAsLong())
        .ifPresent(chunk -> send(identity, ControlMessage.newBuilder().setSnapshotChunk(chunk).build()));
  }

  /** Snapshot starts wait for a free session: after anything that may have ended one, start them. */
  private void startWaitingSnapshots() {
    if (snapshots.waiting() == 0) {
      return;
    }
    for (SnapshotSource.Reply reply : snapshots.admit(clockMs.getAsLong())) {
      send(reply.follower().getBytes(StandardCharsets.UTF_8),
          ControlMessage.newBuilder().setSnapshotChunk(reply.chunk()).build());
    }
  }

  private void refuse(byte[] identity, String from, String what, ControlMessage request, String why) {
    controlLog.refused(from, what, why);
    answerError(identity, request, true, why);
  }

  /**
   * The error answer to a message that was refused or failed. A catch-up that failed is answered
   * "take a snapshot": the snapshot is read from the data, not from the backlog that failed.
   */
  private void answerError(byte[] identity, ControlMessage message, boolean refused, String why) {
    switch (message.getBodyCase()) {
      case HELLO -> send(identity, ControlMessage.newBuilder().setWelcome(Welcome.newBuilder()
          .setLeaderId(leaderId).setEpoch(epoch).setShards(shards).setHeartbeatMs((int) heartbeatMs)
          .setAccepted(false).setReason(refused ? why : "this hello failed: " + why)).build());
      case CATCH_UP_REQUEST -> send(identity, ControlMessage.newBuilder().setCatchUpReply(CatchUpReply.newBuilder()
          .setShard(message.getCatchUpRequest().getFrom().getShard())
          .setOutcome(refused ? CatchUpReply.Outcome.OUTCOME_REFUSED : CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED)
          .setReason(refused ? Refusals.reason(why) : "the backlog cannot serve this catch-up: " + why)).build());
      case SNAPSHOT_REQUEST -> send(identity, ControlMessage.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder()
          .setShard(message.getSnapshotRequest().getShard()).setSnapshotId(message.getSnapshotRequest().getSnapshotId())
          .setError(refused ? Refusals.reason(why) : "this snapshot request failed: " + why)).build());
      default -> { } // an ack or a leader-only message has no answer; the log has it
    }
  }

  private void hello(byte[] identity, Hello hello) {
    String id = hello.getFollowerId();
    String routingId = new String(identity, StandardCharsets.UTF_8);
    Welcome.Builder welcome = Welcome.newBuilder().setLeaderId(leaderId).setEpoch(epoch).setShards(shards)
        .setHeartbeatMs((int) heartbeatMs).setLimits(LeaderLimits.toWire(limits)).setAccepted(true);
    String refusal = refusal(hello, routingId);
    if (refusal != null) {
      access.refused(routingId);
      snapshots.retain((follower, shard) -> !follower.equals(routingId));
      log.warn("refused follower '{}': {}", id, refusal);
      send(identity, ControlMessage.newBuilder().setWelcome(welcome.setAccepted(false).setReason(refusal)).build());
      return;
    }
    Assignment assignment = membership.hello(id, hello.getAddress(), hello.getPositionsList(), clockMs.getAsLong());
    access.greeted(id);
    snapshots.retain((follower, shard) -> !follower.equals(id)); // a new session: its transfers start over
    log.info("follower {} at {} said hello holding {} shard(s); assignment v{} with {} shard(s)", id,
        hello.getAddress(), hello.getPositionsCount(), assignment.getVersion(), assignment.getShardsCount());
    send(identity, ControlMessage.newBuilder().setWelcome(welcome).build());
    send(identity, ControlMessage.newBuilder().setAssignment(assignment).build());
    tick();
  }

  /** Why a hello is refused, or null. */
  private String refusal(Hello hello, String routingId) {
    String version = LeaderLimits.versionRefusal(hello.getProtocolVersion());
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
    return helloRefusal.apply(hello);
  }

  private void ack(byte[] identity, Ack ack) {
    if (!ack.getFollowerId().equals(new String(identity, StandardCharsets.UTF_8))) {
      Frames.malformed(ack.getFollowerId(), "an ack whose follower id differs from its routing id");
      return;
    }
    if (!replicas.onAck(ack)) {
      return; // unknown follower: it re-sends hello when it sees this leader's epoch
    }
    for (ShardPosition position : ack.getPositionsList()) {
      snapshots.release(ack.getFollowerId(), position.getShard(), position.getAppliedSeq());
    }
  }

  private void tick() {
    Map<String, Assignment> changed = membership.tick(clockMs.getAsLong());
    changed.forEach((id, assignment) ->
        send(id.getBytes(StandardCharsets.UTF_8), ControlMessage.newBuilder().setAssignment(assignment).build()));
    if (!changed.isEmpty()) {
      snapshots.retain(access::mayFetch); // transfers of shards that moved away end
    }
    snapshots.expire(clockMs.getAsLong());
    startWaitingSnapshots();
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
