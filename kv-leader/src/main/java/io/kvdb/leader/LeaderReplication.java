package io.kvdb.leader;

import io.kvdb.core.dump.RebuildMark;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.leader.LeaderReplicas;
import io.kvdb.core.leader.Membership;
import io.kvdb.core.leader.RecentCommits;
import io.kvdb.core.leader.ReplicationLag;
import io.kvdb.core.leader.SnapshotSource;
import io.kvdb.core.leader.WritePipeline;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.security.ZapHandler;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.leader.replication.ControlServer;
import io.kvdb.leader.replication.Publisher;
import io.kvdb.replication.v1.Hello;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The leader's side of replication: the ZeroMQ context and CURVE authentication, the PUB socket that
 * sends every commit to the followers, and the control ROUTER that registers followers, collects their
 * acks and serves catch-up and snapshots. It starts in two steps around the write pipeline: the
 * publisher before it (the pipeline publishes through it), the control channel after (it reads the
 * pipeline's heads). It closes in two steps too: {@link #closeControl()} before the pipeline closes,
 * {@link #close()} after, since the pipeline publishes its last commits.
 */
final class LeaderReplication implements AutoCloseable {
  /** An unfinished snapshot transfer is abandoned (and its backlog pin dropped) after this idle time. */
  private static final long SNAPSHOT_IDLE_MS = 60_000;

  private final LeaderConfig config;
  private final Supervisor supervisor;
  private final BacklogPins pins = new BacklogPins();
  private ZContext zmq;
  private ZapHandler zap;
  private RecentCommits commits;
  private Publisher publisher;
  private ScheduledExecutorService timer;
  private LeaderReplicas replicas;
  private ControlServer control;

  LeaderReplication(LeaderConfig config, Supervisor supervisor) {
    this.config = config;
    this.supervisor = supervisor;
  }

  /** Binds the PUB socket (after the ZAP handler, when CURVE is on); the pipeline publishes through it. */
  Publisher startPublisher(KvStore store, LeaderMetadata metadata) {
    zmq = new ZContext();
    // The ZAP handler must be up before a CURVE socket binds: without it ZeroMQ lets every key in.
    zap = config.curve().map(curve -> curve.startAuthentication(zmq, supervisor)).orElse(null);
    Consumer<ZMQ.Socket> secure = config.curve().<Consumer<ZMQ.Socket>>map(curve -> curve::secure)
        .orElse(socket -> {});
    commits = new RecentCommits(metadata.shards());
    publisher = new Publisher(zmq, config.host(), config.pubPort(), metadata.leaderId(), metadata.epoch(),
        config.heartbeatMs(), metadata.shards(), store::shardState, secure, commits, supervisor);
    return publisher;
  }

  /**
   * Starts membership (liveness and acks) and binds the control socket, once the pipeline runs;
   * returns the replicas the services wait on for acks.
   */
  LeaderReplicas startControl(KvStore store, LeaderMetadata metadata, DiskSpace disk, WritePipeline pipeline,
      MeterRegistry registry) {
    timer = ackTimer();
    Membership membership = new Membership(store, disk, metadata.shards(), config.replicationFactor(),
        config.deadTimeoutMs(), timer, LeaderServer.monotonicMs());
    replicas = new LeaderReplicas(membership, pipeline, LeaderServer::monotonicMs,
        new ReplicationLag(pipeline, commits, registry, LeaderServer::monotonicMs));
    control = new ControlServer(zmq, config.host(), config.controlPort(), metadata.leaderId(), metadata.epoch(),
        metadata.shards(), config.heartbeatMs(), config.limits(), membership, replicas,
        new CatchUpSource(store, pipeline::head),
        new SnapshotSource(store, pipeline::head, pins, SNAPSHOT_IDLE_MS, config.maxSnapshotSessions()),
        LeaderServer::monotonicMs, config.curve(), supervisor,
        RebuildMark.read(store).<Function<Hello, String>>map(mark -> mark::refusal).orElse(hello -> null));
    return replicas;
  }

  /** What snapshot transfers pin of the backlog; the pipeline keeps pinned commits. */
  BacklogPins pins() {
    return pins;
  }

  /** The ZAP handler when CURVE is on, else null (its meters are bound only then). */
  ZapHandler zap() {
    return zap;
  }

  int pubPort() {
    return publisher.port();
  }

  int controlPort() {
    return control.port();
  }

  /** Stops talking to followers; before the pipeline closes. Safe to call twice. */
  void closeControl() {
    if (control != null) {
      control.close();
      control = null;
    }
  }

  /** Closes the publisher, the ack timer and the ZeroMQ context; after the pipeline closed. Safe to call twice. */
  @Override
  public void close() {
    closeControl();
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    if (zap != null) {
      zap.close();
      zap = null;
    }
    if (zmq != null) {
      zmq.close();
      zmq = null;
    }
  }

  /** Ends waits for acks; a wait cancelled by its client leaves the queue at once, not at its deadline. */
  private static ScheduledExecutorService ackTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, LeaderServer.daemon("kv-ack-timer"));
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
