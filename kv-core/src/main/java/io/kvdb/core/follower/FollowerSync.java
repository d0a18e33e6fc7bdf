package io.kvdb.core.follower;

import io.kvdb.core.follower.ReplicaStore.Outcome;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.Topics;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.Heartbeat;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.Welcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of replication, without sockets or threads: it is fed what arrives from the
 * leader (control frames, PUB frames) and the passing of time, applies what it should to the
 * replica, publishes the read view, and leaves in its {@link Outbox} what to send back. The link
 * that owns the sockets only moves bytes between them and this class.
 *
 * <p>Its parts: the {@link Session} (hello, welcome, epoch, refusal), the
 * {@link AssignmentApplier}, one {@link ShardSync} per assigned shard, and the {@link ReadView}.
 * Not thread-safe: one thread (the follower's "kv-replica") makes every call.
 */
public final class FollowerSync {
  private static final Logger log = LoggerFactory.getLogger(FollowerSync.class);
  private static final String FROM_CONTROL = "the leader's control socket";
  private static final String FROM_PUB = "the leader's PUB socket";

  private final SyncOptions options;
  private final KvStore store;
  private final DiskSpace disk;
  /** What the ReplicaStore made at the first welcome reports its apply time to. */
  private final ReplicaMetrics replicaMetrics;
  private final LongSupplier clockMs;
  private final Outbox outbox = new Outbox();
  private final Session session;
  private final ReadView view;
  private final Map<Integer, ShardSync> syncs = new TreeMap<>();
  private final AssignmentApplier assignments;
  private final Acks acks;
  /** Null until the first welcome tells a new data dir the cluster's shard count. */
  private ReplicaStore replica;
  /** Null while {@link #replica} is. */
  private SyncContext context;

  /**
   * @param replica the replica in the data dir, or null for a data dir never synced
   * @param suspect shards whose data did not match its digest at start-up, or whose snapshot
   *     install was interrupted: synced by snapshot if they are assigned, else dropped
   * @param clockMs a monotonic clock in ms
   * @param views receives every new read view
   */
  public FollowerSync(SyncOptions options, KvStore store, ReplicaStore replica, Set<Integer> suspect, DiskSpace disk,
      ReplicaMetrics replicaMetrics, LongSupplier clockMs, Consumer<FollowerView> views) {
    this.options = options;
    this.store = store;
    this.disk = disk;
    this.replicaMetrics = replicaMetrics;
    this.clockMs = clockMs;
    this.session = new Session(options);
    this.view = new ReadView(options.id(), views);
    // A complete shard in the data dir is served stale from start-up, before any hello.
    this.assignments = new AssignmentApplier(syncs, suspect, replica == null ? Set.of() : replica.shardsHeld());
    this.acks = new Acks(options.id());
    if (replica != null) {
      useReplica(replica);
      publishView();
    }
  }

  /** What to send after the last call; the caller sends it and clears it. */
  public Outbox outbox() {
    return outbox;
  }

  /** How long the caller may wait for input before calling {@link #onTimer()}. */
  public long pollIntervalMs() {
    long interval = Math.min(50, session.heartbeatMs() / 2);
    if (session.welcomed()) {
      // An applied write's ack must not wait for the next message or the interval's end.
      interval = Math.min(interval, acks.msUntilDue(now(), session.heartbeatMs()));
    }
    return Math.max(1, interval);
  }

  /** One frame from the leader's control socket. */
  public void onControl(byte[] frame) {
    ControlMessage message = Frames.control(frame, FROM_CONTROL);
    if (message == null) {
      return;
    }
    session.heardFromLeader(now());
    switch (message.getBodyCase()) {
      case WELCOME -> welcome(message.getWelcome());
      case ASSIGNMENT -> assignment(message.getAssignment());
      case CATCH_UP_REPLY -> {
        CatchUpReply reply = message.getCatchUpReply();
        ShardSync sync = syncs.get(reply.getShard());
        if (sync != null) { // else stale: the shard moved since the request
          sync.onCatchUpReply(reply);
        }
      }
      case SNAPSHOT_CHUNK -> {
        SnapshotChunk chunk = message.getSnapshotChunk();
        ShardSync sync = syncs.get(chunk.getShard());
        if (sync != null) {
          sync.onSnapshotChunk(chunk);
        }
      }
      default -> Frames.malformed("the leader", "a " + message.getBodyCase() + " message, which only followers send");
    }
  }

  /**
   * Messages from the leader's PUB socket, in the order received. Live events are applied in one
   * batch; events before a heartbeat are applied first, since the heartbeat speaks of what preceded it.
   */
  public void onData(List<DataFrame> frames) {
    List<Event> live = new ArrayList<>();
    for (DataFrame frame : frames) {
      int shard = Topics.parse(frame.topic());
      if (shard < 0 || frame.body() == null) {
        Frames.malformed(FROM_PUB, "a frame with a bad topic or no body");
        continue;
      }
      ShardSync sync = syncs.get(shard);
      if (sync == null) {
        continue; // not (or no longer) assigned here: unsubscribe is asynchronous
      }
      DataMessage message = Frames.data(frame.body(), FROM_PUB);
      if (message == null) {
        continue;
      }
      if (message.hasBatch()) {
        List<Event> events = Frames.eventBatch(message.getBatch(), shard, FROM_PUB);
        for (Event event : events == null ? List.<Event>of() : events) {
          if (!fromThisSession(event.getLeaderId(), event.getEpoch())) {
            continue;
          }
          session.heardFromLeader(now());
          if (sync.isLive()) {
            live.add(event);
          } else {
            sync.buffer(event);
          }
        }
      } else {
        applyLive(live);
        live.clear();
        Heartbeat heartbeat = message.getHeartbeat();
        if (fromThisSession(heartbeat.getLeaderId(), heartbeat.getEpoch())) {
          session.heardFromLeader(now());
          sync.onHeartbeat(heartbeat);
        }
      }
    }
    applyLive(live);
  }

  /** The passing of time: hellos, requests sent again, acks, a silent leader. */
  public void onTimer() {
    long now = now();
    if (!session.welcomed()) {
      if (session.helloDue(now)) {
        outbox.send(session.hello(replica, now));
      }
      return;
    }
    if (session.leaderSilent(now)) {
      resetSession();
      return;
    }
    for (ShardSync sync : syncs.values()) {
      sync.onTimer(now);
    }
    if (acks.due(now, session.heartbeatMs())) {
      sendAck(now);
    }
  }

  private void welcome(Welcome welcome) {
    if (!welcome.getAccepted()) {
      session.refusedByLeader(welcome.getReason());
      publishView();
      return;
    }
    if (replica == null) {
      useReplica(ReplicaStore.create(store, welcome.getShards(), replicaMetrics));
    }
    if (welcome.getShards() != replica.shards()) {
      session.refuseLeader("the leader has " + welcome.getShards() + " shards but this data dir was made for "
          + replica.shards() + "; use a new --data-dir for this cluster");
      publishView();
      return;
    }
    String synced = replica.syncedLeaderId();
    if (!synced.equals(welcome.getLeaderId())) {
      Set<Integer> held = replica.shardsHeld();
      if (!held.isEmpty()) {
        // Only reached with --accept-new-leader: the leader refuses otherwise.
        log.warn("wiping {} shard(s) copied from leader {} to copy leader {} (--accept-new-leader)",
            held.size(), synced, welcome.getLeaderId());
        syncs.values().forEach(ShardSync::withdraw);
        assignments.forget(held);
        publishView(); // out of the read view before the wipe
        held.forEach(replica::drop);
      }
      replica.setSyncedLeaderId(welcome.getLeaderId());
    }
    if (session.accept(welcome)) {
      // Every shard re-checks its position against this leader run.
      syncs.values().forEach(ShardSync::resync);
    }
    publishView();
  }

  private void assignment(Assignment assignment) {
    if (!session.welcomed() || !assignments.apply(assignment, context)) {
      return;
    }
    publishView();
    sendAck(now());
  }

  private boolean fromThisSession(String leaderId, long epoch) {
    Session.Verdict verdict = session.check(leaderId, epoch);
    if (verdict == Session.Verdict.LEADER_RESTARTED) {
      resetSession();
    }
    return verdict == Session.Verdict.CURRENT;
  }

  private void applyLive(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    if (!context.roomFor(events.stream().mapToLong(Event::getSerializedSize).sum())) {
      events.stream().map(event -> syncs.get(event.getShard())).filter(Objects::nonNull).distinct()
          .forEach(ShardSync::waitForDisk);
      return;
    }
    Map<Integer, Outcome> outcomes = replica.apply(events);
    acks.progressed();
    outcomes.forEach((shard, outcome) -> {
      ShardSync sync = syncs.get(shard);
      if (sync != null) {
        sync.onLiveOutcome(outcome);
      }
    });
  }

  private void resetSession() {
    session.reset();
    syncs.values().forEach(ShardSync::pause);
    publishView();
  }

  /**
   * The leader refused a catch-up or snapshot request: it has no hello from this follower in its
   * current run (it restarted, and its new epoch was not seen here yet) or the shard is no longer
   * ours. Either way the session starts over: hello, then every shard checks its position again
   * after the welcome (and its assignment). Further refusals of the same session are the same news.
   */
  private void refusedByLeader(String reason) {
    if (!session.welcomed()) {
      return;
    }
    log.warn("the leader does not serve this follower's requests ({}): saying hello again", reason);
    session.unknownToLeader();
    syncs.values().forEach(ShardSync::pause);
    publishView();
  }

  private void sendAck(long now) {
    outbox.send(acks.ack(now, assignments.version(), replica, syncs.values()));
  }

  private void useReplica(ReplicaStore opened) {
    replica = opened;
    context = new SyncContext(opened, disk, options.catchUpBatch(), clockMs, outbox, session::welcomed,
        this::publishView, acks::progressed, this::refusedByLeader);
  }

  private void publishView() {
    view.publish(session, assignments.version(), replica == null ? 0 : replica.shards(), syncs.values(),
        assignments.restored());
  }

  private long now() {
    return clockMs.getAsLong();
  }
}
