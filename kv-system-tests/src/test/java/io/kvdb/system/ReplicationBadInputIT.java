package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.protocol.Topics;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.EventBatch;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.SnapshotRequest;
import io.kvdb.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Garbage on the replication channels: the leader's control socket fed random and hostile frames,
 * and a follower whose event stream passes through a relay that injects malformed frames, unknown
 * topics, events from another leader, events far ahead of the stream, and malformed event batches
 * (empty, a gap in the middle, an event of another shard). Both keep serving, log
 * what they dropped, and the follower still converges.
 */
@Timeout(300)
class ReplicationBadInputIT {
  @TempDir Path dir;

  @Test
  void leaderAndFollowerSurviveHostileReplicationFrames() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8"); ZContext zmq = new ZContext()) {
      cluster.startLeader();
      Relay relay = new Relay(zmq, cluster.pubPort);
      Thread relayThread = new Thread(relay, "relay");
      relayThread.start();
      try {
        cluster.addFollower("f1", "--leader-pub-port", Integer.toString(relay.port));
        cluster.awaitAlive("f1");
        int controlFrames = feedGarbageToControl(zmq, cluster.controlPort);

        new Load(cluster.client(), "bad", 4, 50).run(250);
        Convergence.await(cluster, Duration.ofSeconds(90));
        assertTrue(relay.injected.get() > 0);
        cluster.await("the follower logs what it dropped", Duration.ofSeconds(30),
            () -> cluster.follower("f1").log().contains("dropped"));
        cluster.await("the leader logs what it dropped", Duration.ofSeconds(30),
            () -> cluster.leader().log().contains("dropped"));
        assertTrue(cluster.leader().isAlive() && cluster.follower("f1").process.isAlive());
        // Still serving after it all.
        cluster.kv().put(PutRequest.newBuilder().setKey("after").setValue(ByteString.copyFromUtf8("ok")).build());
        assertEquals("ok", cluster.kv().get(GetRequest.newBuilder().setKey("after").build()).getValue().toStringUtf8());
        System.out.printf("bad input: %d control frames to the leader, %d injected into the event stream%n",
            controlFrames, relay.injected.get());
      } finally {
        relay.stop.set(true);
        relayThread.join(5000);
      }
    }
  }

  /**
   * A time-boxed fuzz of the leader's two ZeroMQ ports while a follower replicates: the leader keeps
   * serving, the follower converges, and a follower started afterwards can still join.
   */
  @Test
  void leaderKeepsReplicatingWhileItsZeroMqPortsAreFuzzed() throws Exception {
    long seed = Long.getLong("kvdb.fuzz.seed", 20240611L);
    long budgetMs = Long.getLong("kvdb.fuzz.zmqSeconds", Scale.current().fuzzSeconds() * 3 / 10) * 1000;
    try (TestCluster cluster = new TestCluster(dir, "--shards", "8", "--dead-timeout-ms", "3000");
        ZContext zmq = new ZContext()) {
      cluster.startLeader();
      cluster.addFollower("f1");
      cluster.awaitAlive("f1");
      Load load = new Load(cluster.client(), "zfuzz", 4, 50).start(100_000);
      ZmqFuzzer fuzzer = new ZmqFuzzer(zmq, "127.0.0.1", cluster.pubPort, cluster.controlPort, 8, seed);
      long start = System.nanoTime();
      int inputs;
      try {
        inputs = fuzzer.run(1_000_000, budgetMs);
      } catch (java.io.IOException e) {
        throw new AssertionError("a port stopped answering: " + e + "\n" + cluster.logTails(), e);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      load.stop();

      assertTrue(cluster.leader().isAlive(), "the leader survived:\n" + cluster.leader().log());
      cluster.addFollower("f2");
      cluster.awaitAlive("f2");
      Convergence.await(cluster, Duration.ofSeconds(90));
      Load.Verdict verdict = load.verify(cluster.client());
      assertEquals(0, verdict.lost() + verdict.resurrected(), verdict.examples().toString());
      cluster.await("the leader logs what it dropped", Duration.ofSeconds(30),
          () -> cluster.leader().log().contains("dropped"));
      System.out.printf("ZeroMQ fuzz: %d inputs in %.1f s (seed %d) %s; meanwhile %d writes acknowledged%n",
          inputs, seconds, seed, fuzzer.sent, load.acknowledged());
    }
  }

  /** Sends random bytes, empty frames, leader-only messages and hostile requests to the ROUTER. */
  private static int feedGarbageToControl(ZContext zmq, int controlPort) {
    Random random = new Random(42);
    ZMQ.Socket dealer = zmq.createSocket(SocketType.DEALER);
    dealer.setLinger(5_000); // deliver everything before close (the context's default is to drop)
    dealer.setIdentity("intruder".getBytes(StandardCharsets.UTF_8));
    dealer.connect("tcp://127.0.0.1:" + controlPort);
    int sent = 0;
    for (int i = 0; i < 500; i++) {
      byte[] junk = new byte[random.nextInt(200)];
      random.nextBytes(junk);
      dealer.send(junk);
      sent++;
    }
    dealer.send(new byte[0]);
    dealer.sendMore("two".getBytes(StandardCharsets.UTF_8));
    dealer.send("frames".getBytes(StandardCharsets.UTF_8));
    // A hello with a wrong protocol version, one with an id that is not its routing id, and
    // requests for shards that do not exist.
    dealer.send(ControlMessage.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(99).setFollowerId("intruder"))
        .build().toByteArray());
    dealer.send(ControlMessage.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setFollowerId("f1"))
        .build().toByteArray());
    dealer.send(ControlMessage.newBuilder().setSnapshotRequest(SnapshotRequest.newBuilder().setShard(1_000_000))
        .build().toByteArray());
    sent += 6;
    dealer.close();
    return sent;
  }

  /** Forwards the leader's PUB stream to the follower and injects bad frames between real ones. */
  private static final class Relay implements Runnable {
    final ZMQ.Socket in;
    final ZMQ.Socket out;
    final int port;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger injected = new AtomicInteger();
    private final Random random = new Random(7);

    Relay(ZContext zmq, int leaderPubPort) {
      in = zmq.createSocket(SocketType.SUB);
      in.connect("tcp://127.0.0.1:" + leaderPubPort);
      in.subscribe(new byte[0]);
      in.setReceiveTimeOut(50);
      out = zmq.createSocket(SocketType.PUB);
      port = FreePorts.next();
      out.bind("tcp://127.0.0.1:" + port);
    }

    @Override
    public void run() {
      long forwarded = 0;
      while (!stop.get()) {
        byte[] topic = in.recv();
        if (topic == null) {
          continue;
        }
        byte[] body = in.recv();
        out.sendMore(topic);
        out.send(body);
        if (++forwarded % 50 == 0) {
          inject(topic, body);
        }
      }
      in.close();
      out.close();
    }

    private void inject(byte[] topic, byte[] body) {
      int shard = Topics.parse(topic);
      byte[] junk = new byte[1 + random.nextInt(100)];
      random.nextBytes(junk);
      out.sendMore(topic);
      out.send(junk); // malformed body on a real topic
      out.send(topic); // a topic with no body
      out.sendMore("shard/99999".getBytes(StandardCharsets.US_ASCII));
      out.send(body); // unknown topic (the follower is not subscribed: filtered, or dropped)
      try {
        DataMessage message = DataMessage.parseFrom(body);
        if (message.hasBatch()) {
          Event event = message.getBatch().getEvents(0);
          send(topic, event.toBuilder().setLeaderId("some-other-leader").setPutValue(
              ByteString.copyFromUtf8("evil")).build()); // another leader's event
          send(topic, event.toBuilder().setSeq(event.getSeq() + 1000).setPutValue(
              ByteString.copyFromUtf8("far ahead")).build()); // far ahead of the stream
          send(topic, event.toBuilder().setSeq(event.getSeq() + 1).build(), event.toBuilder().setSeq(event.getSeq() + 3)
              .setPutValue(ByteString.copyFromUtf8("after a gap")).build()); // a gap in the middle of a batch
          send(topic); // an empty batch
          send(topic, event, event.toBuilder().setShard((event.getShard() + 1) % 8).setSeq(event.getSeq() + 1)
              .setPutValue(ByteString.copyFromUtf8("wrong shard")).build()); // a batch holding another shard's event
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
      injected.addAndGet(shard >= 0 ? 8 : 3);
    }

    private void send(byte[] topic, Event... events) {
      out.sendMore(topic);
      out.send(DataMessage.newBuilder().setBatch(EventBatch.newBuilder().addAllEvents(List.of(events))).build()
          .toByteArray());
    }
  }
}
