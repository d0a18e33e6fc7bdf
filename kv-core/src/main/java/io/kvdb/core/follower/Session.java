package io.kvdb.core.follower;

import io.kvdb.core.config.Limits;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.LeaderLimits;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Hello;
import io.kvdb.replication.v1.Welcome;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's session with one run of the leader: hello and welcome, the leader's id and epoch
 * that every event and heartbeat must carry, a refusal and its reason, and the silence after which
 * the follower says hello again. Owned by the replication thread.
 */
final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);
  static final long HELLO_RETRY_MS = 1_000;
  static final long REFUSED_RETRY_MS = 5_000;
  /** A leader silent for this long (or ten heartbeats, if longer) is taken as gone. */
  static final long MIN_SILENCE_MS = 2_000;
  private static final long LONG_AGO = Long.MIN_VALUE / 2;

  /** What to make of a message that names a leader and an epoch. */
  enum Verdict {
    /** It comes from the leader run of this session. */
    CURRENT,
    /** Not from this session (another leader, an older run, or no session yet): ignore it. */
    IGNORE,
    /** The leader restarted (a newer epoch): say hello again. */
    LEADER_RESTARTED
  }

  private final SyncOptions options;
  private String leaderId = "";
  private long epoch;
  private long heartbeatMs = 100;
  private boolean welcomed;
  private boolean refused;
  private String refusal = "";
  /** The leader's limits: reads are served with them, so that every key it stored can be read here. */
  private Limits limits = Limits.DEFAULT;
  private long lastHelloMs = LONG_AGO;
  private long lastLeaderMessageMs;

  Session(SyncOptions options) {
    this.options = options;
  }

  boolean welcomed() {
    return welcomed;
  }

  boolean refused() {
    return refused;
  }

  String refusal() {
    return refusal;
  }

  String leaderId() {
    return leaderId;
  }

  long epoch() {
    return epoch;
  }

  long heartbeatMs() {
    return heartbeatMs;
  }

  Limits limits() {
    return limits;
  }

  /** Whether a hello is due: none sent yet, or no welcome since the last one. */
  boolean helloDue(long now) {
    return !welcomed && now - lastHelloMs >= (refused ? REFUSED_RETRY_MS : HELLO_RETRY_MS);
  }

  /** The hello that opens a session: who we are and where we stand in each shard we hold. */
  ControlMessage hello(ReplicaStore replica, long now) {
    Set<Integer> held = replica == null ? Set.of() : replica.shardsWithData();
    Hello.Builder hello = Hello.newBuilder().setProtocolVersion(Frames.PROTOCOL_VERSION).setFollowerId(options.id())
        .setAddress(options.address()).setAcceptNewLeader(options.acceptNewLeader())
        .setSyncedLeaderId(held.isEmpty() ? "" : replica.syncedLeaderId());
    held.forEach(shard -> hello.addPositions(SyncContext.position(replica, shard)));
    lastHelloMs = now;
    return ControlMessage.newBuilder().setHello(hello).build();
  }

  /** The leader said no (protocol version, another leader's data, ...): hello again, less often. */
  void refusedByLeader(String reason) {
    if (!refused || !refusal.equals(reason)) {
      log.error("the leader refused this follower: {}", reason);
    }
    refused = true;
    refusal = reason;
    welcomed = false;
  }

  /** This follower will not follow the leader that welcomed it (e.g. another shard count). */
  void refuseLeader(String reason) {
    log.error("refusing the leader: {}", reason);
    refused = true;
    refusal = reason;
    welcomed = false;
  }

  /** An accepted welcome; true when it opens a new session (another leader, run, or after a reset). */
  boolean accept(Welcome welcome) {
    boolean newSession = !welcome.getLeaderId().equals(leaderId) || welcome.getEpoch() != epoch || !welcomed;
    leaderId = welcome.getLeaderId();
    epoch = welcome.getEpoch();
    heartbeatMs = Math.max(1, welcome.getHeartbeatMs());
    try {
      limits = LeaderLimits.fromWelcome(welcome);
    } catch (IllegalArgumentException e) {
      Frames.malformed("the leader", "a welcome with invalid limits (" + e.getMessage() + "); serving with the defaults");
      limits = Limits.DEFAULT;
    }
    welcomed = true;
    refused = false;
    refusal = "";
    if (newSession) {
      log.info("synced with leader {} epoch {} ({} shards; keys up to {} bytes)", leaderId, epoch, welcome.getShards(),
          limits.maxKeyBytes());
    }
    return newSession;
  }

  /** Whether a message carrying ({@code messageLeaderId}, {@code messageEpoch}) belongs to this session. */
  Verdict check(String messageLeaderId, long messageEpoch) {
    if (!welcomed) {
      return Verdict.IGNORE;
    }
    if (!messageLeaderId.equals(leaderId)) {
      Frames.malformed("the PUB socket", "a message from leader " + messageLeaderId + ", not " + leaderId);
      return Verdict.IGNORE;
    }
    if (messageEpoch != epoch) {
      if (messageEpoch > epoch) {
        log.info("leader {} restarted (epoch {} -> {}): saying hello again", leaderId, epoch, messageEpoch);
        return Verdict.LEADER_RESTARTED;
      }
      return Verdict.IGNORE;
    }
    return Verdict.CURRENT;
  }

  void heardFromLeader(long now) {
    lastLeaderMessageMs = now;
  }

  /** True (and logged) when the leader has been silent for too long: the session is over. */
  boolean leaderSilent(long now) {
    long silence = now - lastLeaderMessageMs;
    if (silence <= Math.max(10 * heartbeatMs, MIN_SILENCE_MS)) {
      return false;
    }
    log.warn("no word from leader {} for {} ms: saying hello again", leaderId, silence);
    return true;
  }

  /**
   * The leader does not know this session (it refused a request): hello again, at once unless a
   * hello went out less than {@link #HELLO_RETRY_MS} ago, so that a leader that refuses every
   * session it welcomes cannot make hellos spin.
   */
  void unknownToLeader() {
    welcomed = false;
  }

  /** Ends the session: the next timer says hello at once. */
  void reset() {
    welcomed = false;
    lastHelloMs = LONG_AGO;
  }

  /** The follower's state as its status reports it. */
  String state(boolean allLive) {
    if (refused) {
      return "refused";
    }
    if (!welcomed) {
      return "connecting";
    }
    return allLive ? "live" : "syncing";
  }
}
