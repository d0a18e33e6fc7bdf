package io.kvdb.leader;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.core.protocol.Frames;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotRequest;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A raw DEALER on the leader's control port, speaking the replication protocol by hand as a
 * follower (or an intruder) would: it sends what a test tells it to and reads what comes back.
 */
final class ControlPeer implements AutoCloseable {
  private final ZMQ.Socket dealer;
  private final String routingId;

  private ControlPeer(ZMQ.Socket dealer, String routingId) {
    this.dealer = dealer;
    this.routingId = routingId;
  }

  /** A DEALER with routing id {@code routingId}, connected to 127.0.0.1:{@code port}. */
  static ControlPeer connect(ZContext context, int port, String routingId) {
    return connect(context, port, routingId, socket -> {});
  }

  /** The same, with {@code secure} (CURVE, or nothing) applied before it connects. */
  static ControlPeer connect(ZContext context, int port, String routingId, Consumer<ZMQ.Socket> secure) {
    ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
    secure.accept(dealer);
    dealer.setIdentity(routingId.getBytes(StandardCharsets.UTF_8));
    dealer.setLinger(0);
    dealer.setHandshakeIvl(3_000);
    dealer.connect("tcp://127.0.0.1:" + port);
    return new ControlPeer(dealer, routingId);
  }

  String routingId() {
    return routingId;
  }

  void send(ControlMessage message) {
    dealer.send(message.toByteArray());
  }

  /** Says hello as follower {@code id}, holding nothing. */
  void hello(String id) {
    send(ControlMessage.newBuilder().setHello(Hello.newBuilder()
        .setProtocolVersion(Frames.PROTOCOL_VERSION).setFollowerId(id).setAddress("127.0.0.1:1")).build());
  }

  void catchUp(int shard, long appliedSeq, long appliedEpoch) {
    send(ControlMessage.newBuilder().setCatchUpRequest(CatchUpRequest.newBuilder()
        .setFrom(ShardPosition.newBuilder().setShard(shard).setAppliedSeq(appliedSeq).setAppliedEpoch(appliedEpoch)))
        .build());
  }

  void snapshot(int shard, long snapshotId, String afterKey) {
    send(ControlMessage.newBuilder().setSnapshotRequest(SnapshotRequest.newBuilder()
        .setShard(shard).setSnapshotId(snapshotId).setAfterKey(ByteString.copyFromUtf8(afterKey))).build());
  }

  /** The next message, or null when none arrives within {@code timeoutMs}. */
  ControlMessage receive(long timeoutMs) {
    dealer.setReceiveTimeOut((int) timeoutMs);
    byte[] frame = dealer.recv();
    if (frame == null) {
      return null;
    }
    try {
      return ControlMessage.parseFrom(frame);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("the leader sent an unreadable control frame", e);
    }
  }

  /**
   * The first message that matches {@code wanted}, skipping others (assignments, welcomes) within
   * {@code timeoutMs}; null when none came.
   */
  ControlMessage await(Predicate<ControlMessage> wanted, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    for (long left = timeoutMs; left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
      ControlMessage message = receive(left);
      if (message == null) {
        return null;
      }
      if (wanted.test(message)) {
        return message;
      }
    }
    return null;
  }

  @Override
  public void close() {
    dealer.close();
  }
}
