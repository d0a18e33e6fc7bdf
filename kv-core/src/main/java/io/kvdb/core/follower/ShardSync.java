package io.kvdb.core.follower;

import com.google.protobuf.ByteString;
import io.kvdb.core.follower.ReplicaStore.Outcome;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.Refusals;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.Heartbeat;
import io.kvdb.replication.v1.SnapshotChunk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync of one assigned shard, as a state machine without sockets: it is fed the leader's
 * replies, heartbeats and the outcome of live events, and puts the requests it needs in the outbox.
 * Correctness comes from the seqs, not from the sockets: a duplicate is skipped, a gap is caught up
 * from the leader's backlog, a digest mismatch is repaired by a snapshot. Owned by one thread.
 *
 * <p>Two read states: live (the mode LIVE: in sync with a live leader) and readable (a complete
 * copy at a consistent position, live or not, for reads that allow stale answers). A shard becomes
 * readable only by going live (or, at start-up, by being held complete in the data dir). It stays
 * readable when the session with the leader ends and while it catches up again from where it
 * stands; it stops being readable, before anything is done to its data, when a snapshot install
 * starts, when events are known to be missing (a gap, a lost tail, live events not applied for
 * lack of disk) or when its data no longer matches the leader's digest.
 */
final class ShardSync {
  private static final Logger log = LoggerFactory.getLogger(ShardSync.class);
  /** Live events kept while catching up; past this, they are dropped and caught up from the backlog. */
  static final int MAX_BUFFERED = 10_000;
  /** A request unanswered for this long is sent again (replies can be lost, like any ZeroMQ message). */
  static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final long LONG_AGO = Long.MIN_VALUE / 2;

  enum Mode {
    /** Waiting for a catch-up reply from the backlog. */
    CATCHING_UP,
    /** Pulling a snapshot, chunk by chunk. */
    INSTALLING,
    /** A snapshot failed: the next one starts after a backoff. The shard stays marked as installing. */
    SNAPSHOT_BACKOFF,
    /** Applying live events as they come: the only mode in which the shard is served to every read. */
    LIVE
  }

  private final int shard;
  private final SyncContext context;
  private Mode mode = Mode.CATCHING_UP;
  /** A complete copy at a consistent position: served to reads that allow stale answers. Set whenever LIVE. */
  private boolean readable;
  /** Our monotonic ms when the pending request was sent (the leader's clock is not ours). */
  private long requestedAtMs = LONG_AGO;
  private final SnapshotPull snapshot;
  /** Events applied from the backlog since the shard last went live, for the log. */
  private long caughtUpEvents;
  /** Set when the data may not match its digest: the next sync is a snapshot, not a catch-up. */
  private boolean suspect;
  private final Deque<Event> buffered = new ArrayDeque<>();

  /**
   * @param suspect the data may not match its digest: synced by snapshot
   * @param complete the data dir holds the shard complete (checked at start-up): readable until
   *     its sync says otherwise
   */
  ShardSync(int shard, boolean suspect, boolean complete, SyncContext context) {
    this.shard = shard;
    this.suspect = suspect;
    this.readable = complete && !suspect;
    this.context = context;
    this.snapshot = new SnapshotPull(shard);
  }

  int shard() {
    return shard;
  }

  boolean isLive() {
    return mode == Mode.LIVE;
  }

  /** Whether the shard is a complete copy that may be served to reads that allow stale answers. */
  boolean isReadable() {
    return readable;
  }

  /**
   * Checks this shard's position with the leader (on assignment and at every new session): a
   * catch-up request, or a snapshot when the data is suspect. Without a session it waits for one.
   */
  void resync() {
    if (!context.sessionOpen().getAsBoolean()) {
      setMode(Mode.CATCHING_UP);
      requestedAtMs = LONG_AGO; // asked once a session is open
      return;
    }
    if (suspect) {
      startSnapshot("its data may be incomplete or damaged (a snapshot install was interrupted, or its digest did not"
          + " match at start-up)");
      return;
    }
    setMode(Mode.CATCHING_UP);
    requestedAtMs = context.now();
    context.send(ControlMessage.newBuilder().setCatchUpRequest(CatchUpRequest.newBuilder()
        .setFrom(SyncContext.position(context.replica(), shard)).setMaxEvents(context.catchUpBatch())).build());
  }

  /**
   * The session with the leader ended: stop serving as live, and sync again once welcomed. A
   * readable copy stays readable (stale): nothing is done to its data until the next session
   * checks it. The caller publishes the read view (once for many shards).
   */
  void pause() {
    if (mode == Mode.INSTALLING || mode == Mode.SNAPSHOT_BACKOFF) {
      suspect = true; // half installed: the next session takes the snapshot again
    }
    mode = Mode.CATCHING_UP;
    requestedAtMs = LONG_AGO;
  }

  /**
   * The shard's data is about to be wiped (a new leader's): as {@link #pause()}, and not readable
   * either. The caller publishes the read view before it wipes anything.
   */
  void withdraw() {
    pause();
    readable = false;
  }

  /** A live event that came while this shard is not live: replayed once it is. */
  void buffer(Event event) {
    if (buffered.size() >= MAX_BUFFERED) {
      buffered.clear(); // the replay will find the gap and catch up from the backlog
    }
    buffered.add(event);
  }

  void onCatchUpReply(CatchUpReply reply) {
    if (mode != Mode.CATCHING_UP) {
      return; // stale: the shard's state changed since the request
    }
    switch (reply.getOutcome()) {
      case OUTCOME_EVENTS -> {
        if (!context.roomFor(reply.getSerializedSize())) {
          waitForDisk();
          return;
        }
        Outcome outcome = context.replica().apply(reply.getEventsList()).getOrDefault(shard, Outcome.APPLIED);
        context.progressed().run();
        caughtUpEvents += reply.getEventsCount();
        if (outcome == Outcome.DIVERGED) {
          startSnapshot("a caught-up event did not match the leader's digest");
        } else if (context.replica().state(shard).seq() < reply.getHeadSeq()) {
          resync();
        } else {
          goLive();
        }
      }
      case OUTCOME_SNAPSHOT_REQUIRED -> startSnapshot(reply.getReason());
      case OUTCOME_REFUSED -> context.refusedByLeader().accept(reply.getReason());
      default -> Frames.malformed("the leader", "a catch-up reply with outcome " + reply.getOutcome());
    }
  }

  void onSnapshotChunk(SnapshotChunk chunk) {
    if (mode != Mode.INSTALLING || snapshot.isStale(chunk)) {
      return; // stale
    }
    if (Refusals.isRefusal(chunk)) {
      context.refusedByLeader().accept(chunk.getError()); // the session starts over, and this install with it
      return;
    }
    if (!chunk.getError().isEmpty()) {
      snapshotFailed(chunk.getError());
      return;
    }
    if (!context.roomFor(chunk.getSerializedSize())) {
      requestedAtMs = context.now(); // the timer starts the snapshot again once the disk has room
      return;
    }
    snapshot.received(chunk);
    boolean matches = context.replica().installChunk(chunk);
    if (!chunk.getLast()) {
      requestChunk(chunk.getEntries(chunk.getEntriesCount() - 1).getKey());
      return;
    }
    if (!matches) {
      snapshotFailed("the installed data does not match the snapshot's digest");
      return;
    }
    log.info("shard {}: snapshot installed: {} keys at seq {}", shard, snapshot.keys(), chunk.getSeq());
    snapshot.installed();
    context.progressed().run();
    resync();
  }

  /** What applying this shard's live events came to (the events of every shard apply in one batch). */
  void onLiveOutcome(Outcome outcome) {
    if (outcome == Outcome.GAP) {
      setMode(Mode.CATCHING_UP, false); // events are missing here: not served, not even stale, till live again
      resync();
    } else if (outcome == Outcome.DIVERGED) {
      startSnapshot("an event did not match the leader's digest");
    }
  }

  /** The leader's head of this shard: a lost tail or a divergent copy shows here even without writes. */
  void onHeartbeat(Heartbeat heartbeat) {
    if (mode != Mode.LIVE) {
      return;
    }
    ShardState state = context.replica().state(shard);
    if (heartbeat.getSeq() > state.seq()) {
      setMode(Mode.CATCHING_UP, false); // a lost tail: events the socket dropped; not served until caught up
      resync();
    } else if (heartbeat.getSeq() == state.seq()
        && (heartbeat.getDigest() != state.digest() || heartbeat.getKeys() != state.keys())) {
      startSnapshot("digest differs from the leader's at seq " + state.seq());
    }
  }

  /**
   * Sends a request again when its answer is overdue (lost, or not applied for lack of disk), and
   * starts a failed snapshot again once its backoff is over.
   */
  void onTimer(long now) {
    if (mode == Mode.SNAPSHOT_BACKOFF) {
      if (snapshot.retryDue(now)) {
        startSnapshot("the last one failed (" + snapshot.lastFailure() + ")");
      }
      return;
    }
    if (mode == Mode.LIVE || now - requestedAtMs <= REQUEST_TIMEOUT_MS) {
      return;
    }
    if (!context.roomFor(0)) {
      requestedAtMs = now; // asking the leader again would only fill the disk
    } else if (mode == Mode.INSTALLING) {
      startSnapshot("no snapshot chunk applied for " + REQUEST_TIMEOUT_MS + " ms (lost, or the disk was full)");
    } else {
      resync();
    }
  }

  /**
   * Leaves the shard as it is and waits, as for a pending request: the timer asks the leader again
   * once the disk has room, and the leader's backlog (or a snapshot) has what was not applied.
   * Unapplied events are not acknowledged, so writes that wait for this follower's ack time out.
   */
  void waitForDisk() {
    // Live events left unapplied are missing here, as after a gap; a catch-up reply left unapplied is not.
    setMode(Mode.CATCHING_UP, readable && mode != Mode.LIVE);
    requestedAtMs = context.now();
  }

  private void startSnapshot(String why) {
    log.info("shard {}: taking a snapshot from the leader: {}", shard, why);
    setMode(Mode.INSTALLING, false); // out of the read view (both sets) before the wipe
    context.replica().beginInstall(shard);
    suspect = false;
    snapshot.begin();
    requestChunk(ByteString.EMPTY);
  }

  /** The snapshot failed: the shard stays out of the read view, marked as installing, till the timer retries. */
  private void snapshotFailed(String why) {
    long waitMs = snapshot.failed(why, context.now());
    log.warn("shard {}: the snapshot failed ({}); taking it again in {} ms", shard, why, waitMs);
    setMode(Mode.SNAPSHOT_BACKOFF);
  }

  private void requestChunk(ByteString afterKey) {
    requestedAtMs = context.now();
    context.send(snapshot.request(afterKey));
  }

  private void setMode(Mode next) {
    setMode(next, readable);
  }

  /**
   * The one way out of LIVE and of readable (but for {@link #pause()} and {@link #withdraw()},
   * whose callers publish): a shard that stops being live or readable leaves the read view at
   * once, before anything is done to its data, so that no read finds it half gone.
   */
  private void setMode(Mode next, boolean stillReadable) {
    boolean withdrawn = (mode == Mode.LIVE && next != Mode.LIVE) || (readable && !stillReadable);
    mode = next;
    readable = stillReadable;
    if (withdrawn) {
      context.publishView().run();
    }
  }

  private void goLive() {
    mode = Mode.LIVE; // published below, once the buffered events are applied
    List<Event> replay = new ArrayList<>(buffered);
    buffered.clear();
    if (!replay.isEmpty()) {
      if (!context.roomFor(replay.stream().mapToLong(Event::getSerializedSize).sum())) {
        waitForDisk();
        return;
      }
      Outcome outcome = context.replica().apply(replay).getOrDefault(shard, Outcome.APPLIED);
      context.progressed().run();
      onLiveOutcome(outcome);
    }
    if (mode == Mode.LIVE) {
      readable = true;
      context.replica().markHeld(shard);
      log.info("shard {}: live at seq {} ({} event(s) caught up from the backlog, {} buffered)", shard,
          context.replica().state(shard).seq(), caughtUpEvents, replay.size());
      caughtUpEvents = 0;
      context.publishView().run();
    }
  }
}
