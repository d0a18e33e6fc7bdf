package io.kvdb.follower;

import io.kvdb.core.protocol.Frames;
import io.kvdb.core.follower.ReplicaMetrics;
import io.kvdb.core.follower.ReplicaStore;
import io.kvdb.core.follower.ReplicaStore.Outcome;
import io.kvdb.core.protocol.ZmqEndpoints;
import io.kvdb.core.security.HandshakeMonitor;
import io.kvdb.core.protocol.Topics;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.Heartbeat;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotRequest;
import io.kvdb.replication.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The follower's replication thread ("kv-replica"): owns the SUB socket (events and heartbeats of
 * its shards), the DEALER socket (hello, catch-up, snapshots, acks) and every write to its data
 * dir. Correctness comes from the per-shard seqs, not from the sockets: a duplicate is skipped, a
 * gap is caught up from the leader's backlog, a digest mismatch is repaired by a snapshot.
 */
final class ReplicationLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ReplicationLoop.class);
  private static final long HELLO_RETRY_MS = 1_000;
  private static final long REFUSED_RETRY_MS = 5_000;
  /**
   * A connection whose ZeroMQ handshake has not finished by then is dropped and made again.
   * ZeroMQ's default is 30 s; a greeting that stalls (seen now and then on a loaded machine) would
   * keep the follower out of touch that long.
   */
  private static final int HANDSHAKE_TIMEOUT_MS = 3_000;
  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final int SNAPSHOT_CHUNK_BYTES = 256 * 1024;
  private static final int MAX_DRAIN = 10_000;

  private final FollowerConfig config;
  private final String id;
  private final String address;
  private final KvStore store;
  /** Null until the first welcome tells a new data dir the cluster's shard count. */
  private ReplicaStore replica;
  private final ZMQ.Socket sub;
  private final ZMQ.Socket dealer;
  private final ZMQ.Poller poller;
  private final HandshakeMonitor handshakes;
  private final AtomicReference<FollowerView> view;
  private final DiskSpace disk;
  /** What the ReplicaStore made at the first welcome reports to. */
  private final ReplicaMetrics replicaMetrics;
  private final Map<Integer, ShardSync> syncs = new TreeMap<>();
  private final Set<Integer> subscribed = new TreeSet<>();
  private volatile boolean running = true;

  private String leaderId = "";
  private long epoch;
  private long heartbeatMs = 100;
  private boolean welcomed;
  private boolean refused;
  private String refusal = "";
  private long assignmentVersion;
  private long lastHelloMs = Long.MIN_VALUE / 2;
  private long lastLeaderMessageMs;
  private long lastAckMs;
  private boolean progressSinceAck;

  ReplicationLoop(FollowerConfig config, String id, String address, KvStore store, ReplicaStore replica,
      Set<Integer> suspectShards, ZContext context, AtomicReference<FollowerView> view, DiskSpace disk,
      ReplicaMetrics replicaMetrics) {
    this.config = config;
    this.id = id;
    this.address = address;
    this.store = store;
    this.replica = replica;
    this.view = view;
    this.disk = disk;
    this.replicaMetrics = replicaMetrics;
    sub = context.createSocket(SocketType.SUB);
    sub.setRcvHWM(200_000);
    sub.setLinger(0);
    sub.setHandshakeIvl(HANDSHAKE_TIMEOUT_MS);
    config.curve().ifPresent(curve -> curve.secure(sub)); // CURVE options must precede connect
    sub.connect(ZmqEndpoints.tcp(config.leaderHost(), config.leaderPubPort()));
    dealer = context.createSocket(SocketType.DEALER);
    dealer.setIdentity(id.getBytes(StandardCharsets.UTF_8));
    dealer.setLinger(0);
    dealer.setReconnectIVL(100);
    dealer.setHandshakeIvl(HANDSHAKE_TIMEOUT_MS);
    config.curve().ifPresent(curve -> curve.secure(dealer));
    // The control socket's handshakes tell why a leader that uses (or does not use) CURVE keeps us out.
    handshakes = HandshakeMonitor.watch(dealer, "the leader's control port " + config.leaderHost() + ":"
        + config.leaderControlPort(), config.curve()
            .map(c -> "add this follower's public key " + c.keys().publicKey() + " to the leader's --curve-authorized-keys")
            .orElse("the leader may require CURVE: give --curve-key-file and --leader-curve-public-key"));
    dealer.connect(ZmqEndpoints.tcp(config.leaderHost(), config.leaderControlPort()));
    poller = context.createPoller(2);
    poller.register(sub, ZMQ.Poller.POLLIN);
    poller.register(dealer, ZMQ.Poller.POLLIN);
    // Shards held before a restart are synced again from where they stand once the leader assigns them.
    for (int shard : suspectShards) {
      syncs.computeIfAbsent(shard, ShardSync::new).suspect = true;
    }
  }

  @Override
  public void run() {
    try {
      while (running) {
        poller.poll(Math.max(1, Math.min(50, heartbeatMs / 2)));
        if (poller.pollin(1)) {
          drainControl();
        }
        if (poller.pollin(0)) {
          drainData();
        }
        timers(now());
      }
    } catch (RuntimeException e) {
      if (running) {
        log.error("replication stopped", e);
      }
    } finally {
      poller.close();
      handshakes.close();
      sub.close();
      dealer.close();
    }
  }

  void stop() {
    running = false;
  }

  // ---- control channel ------------------------------------------------------------------------

  private void drainControl() {
    byte[] frame;
    while ((frame = dealer.recv(ZMQ.DONTWAIT)) != null) {
      while (dealer.hasReceiveMore()) {
        dealer.recv(); // extra frames are not part of the protocol
      }
      ControlMessage message = Frames.control(frame, "the leader's control socket");
      if (message == null) {
        continue;
      }
      lastLeaderMessageMs = now();
      switch (message.getBodyCase()) {
        case WELCOME -> welcome(message.getWelcome());
        case ASSIGNMENT -> assignment(message.getAssignment());
        case CATCH_UP_REPLY -> catchUpReply(message.getCatchUpReply());
        case SNAPSHOT_CHUNK -> snapshotChunk(message.getSnapshotChunk());
        default -> Frames.malformed("the leader", "a " + message.getBodyCase() + " message, which only followers send");
      }
    }
  }

  private void sayHello() {
    Set<Integer> held = replica == null ? Set.of() : replica.shardsWithData();
    Hello.Builder hello = Hello.newBuilder().setProtocolVersion(Frames.PROTOCOL_VERSION).setFollowerId(id)
        .setAddress(address).setAcceptNewLeader(config.acceptNewLeader())
        .setSyncedLeaderId(held.isEmpty() ? "" : replica.syncedLeaderId());
    held.forEach(shard -> hello.addPositions(position(shard)));
    send(ControlMessage.newBuilder().setHello(hello).build());
    lastHelloMs = now();
  }

  private void welcome(Welcome welcome) {
    if (!welcome.getAccepted()) {
      if (!refused || !refusal.equals(welcome.getReason())) {
        log.error("the leader refused this follower: {}", welcome.getReason());
      }
      refused = true;
      refusal = welcome.getReason();
      welcomed = false;
      publishView();
      return;
    }
    if (replica == null) {
      replica = ReplicaStore.create(store, welcome.getShards(), replicaMetrics);
    }
    if (welcome.getShards() != replica.shards()) {
      refused = true;
      refusal = "the leader has " + welcome.getShards() + " shards but this data dir was made for " + replica.shards()
          + "; use a new --data-dir for this cluster";
      log.error("refusing the leader: {}", refusal);
      publishView();
      return;
    }
    String synced = replica.syncedLeaderId();
    if (!synced.equals(welcome.getLeaderId())) {
      Set<Integer> held = replica.shardsWithData();
      if (!held.isEmpty()) {
        // Only reached with --accept-new-leader: the leader refuses otherwise.
        log.warn("wiping {} shard(s) copied from leader {} to copy leader {} (--accept-new-leader)",
            held.size(), synced, welcome.getLeaderId());
        held.forEach(replica::drop);
      }
      replica.setSyncedLeaderId(welcome.getLeaderId());
    }
    boolean newSession = !welcome.getLeaderId().equals(leaderId) || welcome.getEpoch() != epoch || !welcomed;
    leaderId = welcome.getLeaderId();
    epoch = welcome.getEpoch();
    heartbeatMs = Math.max(1, welcome.getHeartbeatMs());
    welcomed = true;
    refused = false;
    refusal = "";
    if (newSession) {
      log.info("synced with leader {} epoch {} ({} shards)", leaderId, epoch, welcome.getShards());
      // Every shard re-checks its position against this leader run.
      syncs.values().forEach(this::catchUp);
    }
    publishView();
  }

  private void assignment(Assignment assignment) {
    if (!welcomed || assignment.getVersion() < assignmentVersion) {
      return;
    }
    Set<Integer> next = new TreeSet<>();
    for (int shard : assignment.getShardsList()) {
      if (shard < 0 || shard >= replica.shards()) {
        Frames.malformed("the leader", "an assignment of shard " + shard + " out of range");
        return;
      }
      next.add(shard);
    }
    assignmentVersion = assignment.getVersion();
    List<Integer> added = new ArrayList<>();
    List<Integer> dropped = new ArrayList<>();
    for (int shard : next) {
      ShardSync sync = syncs.get(shard);
      if (sync == null || !isSubscribed(shard)) {
        if (sync == null) {
          sync = new ShardSync(shard);
          syncs.put(shard, sync);
        }
        sub.subscribe(Topics.of(shard));
        subscribed.add(shard);
        added.add(shard);
        catchUp(sync);
      }
    }
    for (int shard : new ArrayList<>(syncs.keySet())) {
      if (!next.contains(shard)) {
        if (subscribed.remove(shard)) {
          sub.unsubscribe(Topics.of(shard));
        }
        syncs.remove(shard);
        replica.drop(shard);
        dropped.add(shard);
      }
    }
    // Data of shards held before a restart but no longer placed here.
    for (int shard : replica.shardsWithData()) {
      if (!next.contains(shard)) {
        replica.drop(shard);
        dropped.add(shard);
      }
    }
    log.info("assignment v{}: holding {} shard(s); +{} {} -{} {}", assignmentVersion, next.size(),
        added.size(), added, dropped.size(), dropped);
    publishView();
    sendAck();
  }

  private boolean isSubscribed(int shard) {
    return subscribed.contains(shard);
  }

  private void catchUp(ShardSync sync) {
    if (!welcomed) {
      sync.mode = ShardSync.Mode.CATCHING_UP;
      sync.requestedAtMs = Long.MIN_VALUE / 2; // sent once welcomed
      return;
    }
    if (sync.suspect) {
      startSnapshot(sync, "its data did not match its digest at start-up");
      return;
    }
    sync.mode = ShardSync.Mode.CATCHING_UP;
    sync.requestedAtMs = now();
    send(ControlMessage.newBuilder().setCatchUpRequest(CatchUpRequest.newBuilder()
        .setFrom(position(sync.shard)).setMaxEvents(config.catchUpBatch())).build());
  }

  private void catchUpReply(CatchUpReply reply) {
    ShardSync sync = syncs.get(reply.getShard());
    if (sync == null || sync.mode != ShardSync.Mode.CATCHING_UP) {
      return; // stale: the shard moved or its state changed since the request
    }
    switch (reply.getOutcome()) {
      case OUTCOME_EVENTS -> {
        if (!roomFor(reply.getSerializedSize())) {
          waitForDisk(sync);
          return;
        }
        Outcome outcome = replica.apply(reply.getEventsList()).getOrDefault(sync.shard, Outcome.APPLIED);
        progressSinceAck = true;
        sync.caughtUpEvents += reply.getEventsCount();
        if (outcome == Outcome.DIVERGED) {
          startSnapshot(sync, "a caught-up event did not match the leader's digest");
        } else if (replica.state(sync.shard).seq() < reply.getHeadSeq()) {
          catchUp(sync);
        } else {
          goLive(sync);
        }
      }
      case OUTCOME_SNAPSHOT_REQUIRED -> startSnapshot(sync, reply.getReason());
      default -> Frames.malformed("the leader", "a catch-up reply with outcome " + reply.getOutcome());
    }
  }

  private void startSnapshot(ShardSync sync, String why) {
    log.info("shard {}: taking a snapshot from the leader: {}", sync.shard, why);
    replica.beginInstall(sync.shard);
    sync.suspect = false;
    sync.mode = ShardSync.Mode.INSTALLING;
    sync.snapshotId = 0;
    sync.snapshotKeys = 0;
    requestChunk(sync, "");
  }

  private void requestChunk(ShardSync sync, String afterKey) {
    sync.requestedAtMs = now();
    send(ControlMessage.newBuilder().setSnapshotRequest(SnapshotRequest.newBuilder()
        .setShard(sync.shard).setSnapshotId(sync.snapshotId).setAfterKey(afterKey)
        .setMaxBytes(SNAPSHOT_CHUNK_BYTES)).build());
  }

  private void snapshotChunk(SnapshotChunk chunk) {
    ShardSync sync = syncs.get(chunk.getShard());
    if (sync == null || sync.mode != ShardSync.Mode.INSTALLING
        || (sync.snapshotId != 0 && sync.snapshotId != chunk.getSnapshotId())) {
      return; // stale
    }
    if (!chunk.getError().isEmpty()) {
      startSnapshot(sync, chunk.getError());
      return;
    }
    if (!roomFor(chunk.getSerializedSize())) {
      sync.requestedAtMs = now(); // the timers start the snapshot again once the disk has room
      return;
    }
    sync.snapshotId = chunk.getSnapshotId();
    sync.snapshotKeys += chunk.getEntriesCount();
    boolean matches = replica.installChunk(chunk);
    if (!chunk.getLast()) {
      requestChunk(sync, chunk.getEntries(chunk.getEntriesCount() - 1).getKey());
      return;
    }
    if (!matches) {
      log.error("shard {}: the installed snapshot does not match its digest; taking it again", sync.shard);
      startSnapshot(sync, "digest mismatch after install");
      return;
    }
    log.info("shard {}: snapshot installed: {} keys at seq {}", sync.shard, sync.snapshotKeys, chunk.getSeq());
    progressSinceAck = true;
    catchUp(sync);
  }

  private void goLive(ShardSync sync) {
    sync.mode = ShardSync.Mode.LIVE;
    List<Event> replay = new ArrayList<>(sync.buffered);
    sync.buffered.clear();
    if (!replay.isEmpty()) {
      applyLive(replay);
    }
    if (sync.mode == ShardSync.Mode.LIVE) {
      log.info("shard {}: live at seq {} ({} event(s) caught up from the backlog, {} buffered)", sync.shard,
          replica.state(sync.shard).seq(), sync.caughtUpEvents, replay.size());
      sync.caughtUpEvents = 0;
      publishView();
    }
  }

  // ---- data channel ---------------------------------------------------------------------------

  private void drainData() {
    List<Event> live = new ArrayList<>();
    for (int i = 0; i < MAX_DRAIN; i++) {
      byte[] topic = sub.recv(ZMQ.DONTWAIT);
      if (topic == null) {
        break;
      }
      byte[] body = sub.hasReceiveMore() ? sub.recv() : null;
      while (sub.hasReceiveMore()) {
        sub.recv();
      }
      int shard = Topics.parse(topic);
      ShardSync sync = syncs.get(shard);
      if (shard < 0 || body == null) {
        Frames.malformed("the leader's PUB socket", "a frame with a bad topic or no body");
        continue;
      }
      if (sync == null) {
        continue; // not (or no longer) assigned here: unsubscribe is asynchronous
      }
      DataMessage message = Frames.data(body, "the leader's PUB socket");
      if (message == null) {
        continue;
      }
      if (message.hasEvent()) {
        Event event = message.getEvent();
        if (!fromThisLeader(event.getLeaderId(), event.getEpoch()) || event.getShard() != shard) {
          continue;
        }
        lastLeaderMessageMs = now();
        if (sync.mode == ShardSync.Mode.LIVE) {
          live.add(event);
        } else {
          sync.buffer(event);
        }
      } else {
        // Events before a heartbeat are applied first: the heartbeat speaks of what preceded it.
        applyLive(live);
        live.clear();
        heartbeat(sync, message.getHeartbeat());
      }
    }
    applyLive(live);
  }

  private boolean fromThisLeader(String eventLeaderId, long eventEpoch) {
    if (!welcomed) {
      return false;
    }
    if (!eventLeaderId.equals(leaderId)) {
      Frames.malformed("the PUB socket", "a message from leader " + eventLeaderId + ", not " + leaderId);
      return false;
    }
    if (eventEpoch != epoch) {
      if (eventEpoch > epoch) {
        log.info("leader {} restarted (epoch {} -> {}): saying hello again", leaderId, epoch, eventEpoch);
        resetSession();
      }
      return false;
    }
    return true;
  }

  private void heartbeat(ShardSync sync, Heartbeat heartbeat) {
    if (!fromThisLeader(heartbeat.getLeaderId(), heartbeat.getEpoch())) {
      return;
    }
    lastLeaderMessageMs = now();
    if (sync.mode != ShardSync.Mode.LIVE) {
      return;
    }
    ShardState state = replica.state(sync.shard);
    if (heartbeat.getSeq() > state.seq()) {
      catchUp(sync); // a lost tail: events the socket dropped
    } else if (heartbeat.getSeq() == state.seq()
        && (heartbeat.getDigest() != state.digest() || heartbeat.getKeys() != state.keys())) {
      startSnapshot(sync, "digest differs from the leader's at seq " + state.seq());
      publishView();
    }
  }

  private void applyLive(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    if (!roomFor(events.stream().mapToLong(Event::getSerializedSize).sum())) {
      events.stream().map(event -> syncs.get(event.getShard())).filter(Objects::nonNull).distinct()
          .forEach(this::waitForDisk);
      return;
    }
    Map<Integer, Outcome> outcomes = replica.apply(events);
    progressSinceAck = true;
    outcomes.forEach((shard, outcome) -> {
      ShardSync sync = syncs.get(shard);
      if (sync == null) {
        return;
      }
      if (outcome == Outcome.GAP) {
        catchUp(sync);
        publishView();
      } else if (outcome == Outcome.DIVERGED) {
        startSnapshot(sync, "an event did not match the leader's digest");
        publishView();
      }
    });
  }

  /**
   * Whether the data dir's disk can take about {@code bytes} more (see --min-free-disk). LevelDB
   * on a full disk fails its writes or, through its memory-mapped files, kills the process; so
   * below the reserve nothing is written, and DiskSpace logs when that starts and ends.
   */
  private boolean roomFor(long bytes) {
    try {
      disk.checkRoom(bytes);
      return true;
    } catch (DiskSpace.FullException e) {
      return false;
    }
  }

  /**
   * Leaves the shard as it is and waits, as for a pending request: the timers ask the leader again
   * once the disk has room, and the leader's backlog (or a snapshot) has what was not applied.
   * Unapplied events are not acknowledged, so writes that wait for this follower's ack time out.
   */
  private void waitForDisk(ShardSync sync) {
    sync.mode = ShardSync.Mode.CATCHING_UP;
    sync.requestedAtMs = now();
  }

  // ---- timers and acks ------------------------------------------------------------------------

  private void timers(long now) {
    long failingSince = handshakes.failingSinceMs();
    if (failingSince != 0 && now - failingSince >= REFUSED_RETRY_MS) {
      reconnect();
    }
    if (!welcomed) {
      if (now - lastHelloMs >= (refused ? REFUSED_RETRY_MS : HELLO_RETRY_MS)) {
        sayHello();
      }
      return;
    }
    if (now - lastLeaderMessageMs > Math.max(10 * heartbeatMs, 2_000)) {
      log.warn("no word from leader {} for {} ms: saying hello again", leaderId, now - lastLeaderMessageMs);
      resetSession();
      return;
    }
    for (ShardSync sync : syncs.values()) {
      if (sync.mode != ShardSync.Mode.LIVE && now - sync.requestedAtMs > REQUEST_TIMEOUT_MS) {
        if (!roomFor(0)) {
          sync.requestedAtMs = now; // asking the leader again would only fill the disk
        } else if (sync.mode == ShardSync.Mode.INSTALLING) {
          startSnapshot(sync,
              "no snapshot chunk applied for " + REQUEST_TIMEOUT_MS + " ms (lost, or the disk was full)");
        } else {
          catchUp(sync);
        }
      }
    }
    if ((progressSinceAck && now - lastAckMs >= 2) || now - lastAckMs >= heartbeatMs) {
      sendAck();
    }
  }

  private void resetSession() {
    welcomed = false;
    lastHelloMs = Long.MIN_VALUE / 2;
    syncs.values().forEach(sync -> {
      if (sync.mode == ShardSync.Mode.LIVE) {
        sync.mode = ShardSync.Mode.CATCHING_UP;
      }
      sync.requestedAtMs = Long.MIN_VALUE / 2;
    });
    publishView();
  }

  private void sendAck() {
    Ack.Builder ack = Ack.newBuilder().setFollowerId(id).setAssignmentVersion(assignmentVersion);
    for (ShardSync sync : syncs.values()) {
      ack.addPositions(position(sync.shard));
      if (sync.mode != ShardSync.Mode.LIVE) {
        ack.addSyncingShards(sync.shard);
      }
    }
    send(ControlMessage.newBuilder().setAck(ack).build());
    lastAckMs = now();
    progressSinceAck = false;
  }

  private ShardPosition position(int shard) {
    ShardState state = replica.state(shard);
    return ShardPosition.newBuilder().setShard(shard).setAppliedSeq(state.seq()).setAppliedEpoch(state.seqEpoch()).build();
  }

  /**
   * ZeroMQ gives up on a session whose handshake the leader refused (a CURVE key not yet
   * authorized, CURVE on one side only) and never retries it. Reconnecting both sockets now and
   * then means fixing the leader's side is enough: no follower restart.
   */
  private void reconnect() {
    handshakes.retrying();
    log.debug("handshake with the leader failed: connecting again");
    for (ZMQ.Socket socket : new ZMQ.Socket[] {dealer, sub}) {
      String endpoint = socket == dealer ? ZmqEndpoints.tcp(config.leaderHost(), config.leaderControlPort())
          : ZmqEndpoints.tcp(config.leaderHost(), config.leaderPubPort());
      try {
        socket.disconnect(endpoint);
      } catch (ZMQException notConnected) {
        // the refused session is already gone
      }
      socket.connect(endpoint);
    }
  }

  private void send(ControlMessage message) {
    dealer.send(message.toByteArray(), ZMQ.DONTWAIT);
  }

  private void publishView() {
    Set<Integer> live = new TreeSet<>();
    syncs.values().stream().filter(s -> s.mode == ShardSync.Mode.LIVE).forEach(s -> live.add(s.shard));
    String state;
    if (refused) {
      state = "refused";
    } else if (!welcomed) {
      state = "connecting";
    } else {
      state = live.size() == syncs.size() ? "live" : "syncing";
    }
    view.set(new FollowerView(id, leaderId, epoch, state, refusal, assignmentVersion,
        replica == null ? 0 : replica.shards(),
        Set.copyOf(syncs.keySet()), Set.copyOf(live)));
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
