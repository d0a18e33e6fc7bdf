package io.kvdb.leader.replication;

import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.RecentCommits;
import io.kvdb.core.leader.ShardEvents;
import io.kvdb.core.process.HandOffQueue;
import io.kvdb.core.process.Shutdown;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.protocol.EventBatches;
import io.kvdb.core.protocol.Topics;
import io.kvdb.core.protocol.ZmqEndpoints;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Heartbeat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Publishes committed events on the PUB socket, a shard's events of one commit as one message on
 * its topic (an EventBatch of the events' log entries, not encoded again), and a heartbeat per
 * shard every interval with the head seq and digest it last published, so that a follower notices
 * a lost tail even when no writes come. The "kv-pub" thread owns the socket (ZeroMQ sockets are
 * not thread-safe; it is created here and handed over at thread start); the writer thread only
 * enqueues.
 */
public final class Publisher implements EventSink, AutoCloseable {
  private final ZMQ.Socket socket;
  private final String leaderId;
  private final long epoch;
  private final long heartbeatMs;
  private final int port;
  /** Owned by the PUB thread: what was last published per shard. */
  private final ShardState[] published;
  /** Filled here, off the writer thread, for the replication lag's timing of acks. */
  private final RecentCommits commits;
  /** Lock-free, so that the writer thread never waits here. */
  private final HandOffQueue<List<ShardEvents>> queue = new HandOffQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * {@code heads}: the shards' states before any write of this run; {@code secure}: applied to the
   * socket before it binds (CURVE, or nothing); {@code commits}: told each event's commit time as
   * it is sent. Binds at once.
   */
  public Publisher(ZContext context, String host, int port, String leaderId, long epoch, long heartbeatMs,
      int shards, IntFunction<ShardState> heads, Consumer<ZMQ.Socket> secure, RecentCommits commits,
      Supervisor supervisor) {
    this.commits = commits;
    this.leaderId = leaderId;
    this.epoch = epoch;
    this.heartbeatMs = heartbeatMs;
    this.published = new ShardState[shards];
    for (int shard = 0; shard < shards; shard++) {
      published[shard] = heads.apply(shard);
    }
    socket = context.createSocket(SocketType.PUB);
    // A high mark: slow subscribers lose less; what they lose, they catch up from the backlog.
    socket.setSndHWM(200_000);
    socket.setLinger(0);
    secure.accept(socket);
    this.port = ZmqEndpoints.bind(socket, host, port, "PUB");
    thread = supervisor.start("kv-pub", this::run, () -> !running);
  }

  public int port() {
    return port;
  }

  /** Called by the writer thread after commit; never blocks, takes no lock. */
  @Override
  public void publish(List<ShardEvents> batch) {
    if (!batch.isEmpty()) {
      queue.add(batch);
    }
  }

  /** Runs under the supervisor: an exception, or an interrupt, ends it and is reported there. */
  private void run() {
    long nextHeartbeat = now();
    try {
      while (running) {
        List<ShardEvents> batch = queue.poll(Math.max(1, nextHeartbeat - now()), TimeUnit.MILLISECONDS);
        if (batch != null) {
          send(batch);
          List<ShardEvents> more;
          while ((more = queue.poll()) != null) {
            send(more);
          }
        }
        if (now() >= nextHeartbeat) {
          heartbeats();
          nextHeartbeat = now() + heartbeatMs;
        }
      }
      List<ShardEvents> rest;
      while ((rest = queue.poll()) != null) {
        send(rest);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for events", e);
    } finally {
      socket.close();
    }
  }

  private void send(List<ShardEvents> batch) {
    for (ShardEvents events : batch) {
      // before the send: an ack of them may come back before the loop goes on
      long firstSeq = events.head().seq() - events.entries().size() + 1;
      for (int i = 0; i < events.entries().size(); i++) {
        commits.published(events.shard(), firstSeq + i, events.committedAtMs());
      }
      socket.sendMore(Topics.of(events.shard()));
      socket.send(EventBatches.dataMessage(events.entries()), ZMQ.DONTWAIT);
      published[events.shard()] = events.head();
    }
  }

  private void heartbeats() {
    for (int shard = 0; shard < published.length; shard++) {
      ShardState head = published[shard];
      Heartbeat heartbeat = Heartbeat.newBuilder()
          .setLeaderId(leaderId).setEpoch(epoch).setShard(shard)
          .setSeq(head.seq()).setSeqEpoch(head.seqEpoch()).setDigest(head.digest()).setKeys(head.keys())
          .build();
      socket.sendMore(Topics.of(shard));
      socket.send(DataMessage.newBuilder().setHeartbeat(heartbeat).build().toByteArray(), ZMQ.DONTWAIT);
    }
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }

  /** Publishes what is queued, then stops the thread and closes the socket. */
  @Override
  public void close() {
    running = false;
    queue.wakeUp();
    Shutdown.join(thread);
  }
}
