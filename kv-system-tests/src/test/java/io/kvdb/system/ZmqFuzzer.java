package io.kvdb.system;

import com.google.protobuf.ByteString;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Feeds a leader's ZeroMQ ports (PUB for data, ROUTER for control) with seeded hostile input, from
 * below ZeroMQ (raw TCP, forged ZMTP handshakes announcing huge frames) to above it (random
 * multi-frame messages, control messages with random fields). It never sends an acceptable hello:
 * a well-formed hello is a follower joining, which only CURVE keys can forbid.
 */
final class ZmqFuzzer {
  /** The kinds of input, counted separately in the report. */
  enum Kind { RAW_TCP, ZMTP_HUGE_FRAME, ZMTP_BAD_GREETING, RANDOM_FRAMES, RANDOM_CONTROL, SUBSCRIPTIONS }

  private final ZContext zmq;
  private final String host;
  private final int pubPort;
  private final int controlPort;
  private final int shards;
  private final Random random;
  final Map<Kind, Integer> sent = new EnumMap<>(Kind.class);

  ZmqFuzzer(ZContext zmq, String host, int pubPort, int controlPort, int shards, long seed) {
    this.zmq = zmq;
    this.host = host;
    this.pubPort = pubPort;
    this.controlPort = controlPort;
    this.shards = shards;
    this.random = new Random(seed);
  }

  /** Sends inputs until {@code maxInputs} or {@code budgetMs} is reached; returns how many. */
  int run(int maxInputs, long budgetMs) throws IOException {
    long deadline = System.nanoTime() + budgetMs * 1_000_000;
    int total = 0;
    while (total < maxInputs && System.nanoTime() < deadline) {
      Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
      int port = random.nextBoolean() ? pubPort : controlPort;
      int count = switch (kind) {
        case RAW_TCP -> raw(port, randomBytes(512));
        case ZMTP_HUGE_FRAME -> raw(port, hugeFrame());
        case ZMTP_BAD_GREETING -> raw(port, badGreeting());
        case RANDOM_FRAMES -> randomFrames();
        case RANDOM_CONTROL -> randomControl();
        case SUBSCRIPTIONS -> subscriptions();
      };
      sent.merge(kind, count, Integer::sum);
      total += count;
    }
    return total;
  }

  private int raw(int port, byte[] bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (java.net.SocketException closedByPeer) {
      // the peer may drop the connection mid-write: that is a fine answer to garbage
    }
    return 1;
  }

  /** A valid ZMTP 3.0 greeting and READY, then a frame that claims to be gigabytes long, or negative. */
  private byte[] hugeFrame() {
    ByteBuffer out = ByteBuffer.allocate(256);
    out.put(greeting(3, "NULL"));
    byte[] ready = readyCommand(random.nextBoolean() ? "DEALER" : "SUB");
    out.put((byte) 0x04).put((byte) ready.length).put(ready); // short command frame
    long size = switch (random.nextInt(5)) {
      case 0 -> Integer.MAX_VALUE - 16;
      case 1 -> 1L << 30;
      case 2 -> Long.MAX_VALUE;
      case 3 -> 0x8000_0000_7FFF_FFF0L; // top bit set: an int cast of it is ~2 GiB
      default -> -1L - random.nextInt(1 << 30); // top bit set: a negative int cast
    };
    out.put((byte) 0x02).putLong(size); // long message frame, last
    out.put(randomBytes(32));
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  /** A greeting of an unknown version, a mechanism the socket does not use, or a broken signature. */
  private byte[] badGreeting() {
    byte[] greeting = switch (random.nextInt(3)) {
      case 0 -> greeting(random.nextInt(256), "NULL");
      case 1 -> greeting(3, random.nextBoolean() ? "CURVE" : "PLAIN");
      default -> {
        byte[] bytes = greeting(3, "NULL");
        bytes[random.nextInt(10)] ^= (byte) (1 + random.nextInt(255));
        yield bytes;
      }
    };
    byte[] tail = randomBytes(128);
    byte[] out = java.util.Arrays.copyOf(greeting, greeting.length + tail.length);
    System.arraycopy(tail, 0, out, greeting.length, tail.length);
    return out;
  }

  private static byte[] greeting(int major, String mechanism) {
    ByteBuffer out = ByteBuffer.allocate(64);
    out.put((byte) 0xFF).put(new byte[8]).put((byte) 0x7F); // signature
    out.put((byte) major).put((byte) 0);
    byte[] name = mechanism.getBytes(StandardCharsets.US_ASCII);
    out.put(name).put(new byte[20 - name.length]);
    out.put((byte) 0).put(new byte[31]); // as-server, filler
    return out.array();
  }

  private static byte[] readyCommand(String socketType) {
    byte[] name = "Socket-Type".getBytes(StandardCharsets.US_ASCII);
    byte[] value = socketType.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(6 + 1 + name.length + 4 + value.length);
    out.put((byte) 5).put("READY".getBytes(StandardCharsets.US_ASCII));
    out.put((byte) name.length).put(name).putInt(value.length).put(value);
    return out.array();
  }

  /** A DEALER with a random routing id sending messages of 0 to 4 random frames. */
  private int randomFrames() {
    ZMQ.Socket dealer = dealer();
    int messages = 1 + random.nextInt(20);
    for (int m = 0; m < messages; m++) {
      int frames = random.nextInt(5);
      for (int f = 0; f < frames; f++) {
        byte[] frame = random.nextInt(10) == 0 ? randomBytes(64 * 1024) : randomBytes(64);
        dealer.send(frame, f < frames - 1 ? ZMQ.SNDMORE : 0);
      }
      if (frames == 0) {
        dealer.send(new byte[0]);
      }
    }
    dealer.close();
    return messages;
  }

  /** Control messages with random field values: hellos the leader must refuse, and random requests. */
  private int randomControl() {
    ZMQ.Socket dealer = dealer();
    int messages = 1 + random.nextInt(20);
    for (int m = 0; m < messages; m++) {
      ControlMessage.Builder message = ControlMessage.newBuilder();
      switch (random.nextInt(4)) {
        case 0 -> message.setHello(Hello.newBuilder()
            .setProtocolVersion(random.nextBoolean() ? 2 + random.nextInt(100) : 1)
            // A routing id of the fuzzer is never 'x' + digits: the hello is refused either way.
            .setFollowerId(random.nextBoolean() ? "x" + random.nextInt(100) : new String(randomBytes(80), StandardCharsets.ISO_8859_1))
            .setAddress(new String(randomBytes(40), StandardCharsets.ISO_8859_1))
            .setSyncedLeaderId(random.nextBoolean() ? "" : "some-leader")
            .addPositions(position()).addPositions(position()));
        case 1 -> message.setAck(Ack.newBuilder().setFollowerId(random.nextBoolean() ? "x1" : "")
            .setAssignmentVersion(random.nextLong()).addPositions(position()).addSyncingShards(random.nextInt()));
        case 2 -> message.setCatchUpRequest(CatchUpRequest.newBuilder().setFrom(position())
            .setMaxEvents(random.nextInt()));
        default -> message.setSnapshotRequest(SnapshotRequest.newBuilder().setShard(shard())
            .setSnapshotId(random.nextInt(3) == 0 ? 0 : random.nextLong())
            .setAfterKey(ByteString.copyFromUtf8(random.nextBoolean() ? "" : "k" + random.nextInt(1000))).setMaxBytes(random.nextInt()));
      }
      byte[] bytes = message.build().toByteArray();
      if (random.nextInt(4) == 0 && bytes.length > 0) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8)); // and some mangled
      }
      dealer.send(bytes);
    }
    dealer.close();
    return messages;
  }

  /** A SUB on the PUB port with random topic prefixes, including empty and binary ones. */
  private int subscriptions() {
    ZMQ.Socket sub = zmq.createSocket(SocketType.SUB);
    sub.setLinger(0);
    sub.connect("tcp://" + host + ":" + pubPort);
    int topics = 1 + random.nextInt(10);
    for (int i = 0; i < topics; i++) {
      sub.subscribe(randomBytes(16));
    }
    sub.close();
    return topics;
  }

  private ZMQ.Socket dealer() {
    ZMQ.Socket dealer = zmq.createSocket(SocketType.DEALER);
    dealer.setLinger(1000); // what was queued reaches the leader before the close
    dealer.setIdentity(("fz-" + random.nextInt(1_000_000)).getBytes(StandardCharsets.US_ASCII));
    dealer.connect("tcp://" + host + ":" + controlPort);
    return dealer;
  }

  private ShardPosition position() {
    return ShardPosition.newBuilder().setShard(shard()).setAppliedSeq(random.nextInt(3) == 0 ? random.nextLong()
        : random.nextInt(100)).setAppliedEpoch(random.nextLong()).build();
  }

  /** Mostly real shards, sometimes past the last one or above 2^31. */
  private int shard() {
    return random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(shards + 2);
  }

  private byte[] randomBytes(int max) {
    byte[] bytes = new byte[random.nextInt(max + 1)];
    random.nextBytes(bytes);
    return bytes;
  }
}
