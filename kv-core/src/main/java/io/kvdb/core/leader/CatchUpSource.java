package io.kvdb.core.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpReply.Outcome;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.ShardPosition;
import java.util.function.IntFunction;

/**
 * Answers a follower's catch-up request from the shard's backlog, or tells it to take a snapshot
 * when the backlog no longer holds its position or disagrees with it. Like Raft's check of the term
 * at a log index: the leader's entry at the follower's applied seq must have the epoch the follower
 * saw there, or the follower applied a write the leader lost (an un-synced tail, a restored backup).
 *
 * <p>A follower further behind than the shard holds keys is also sent to take a snapshot, even when
 * the backlog still covers it: replaying would send at least as many events as the snapshot sends
 * pairs, and an event costs more to send and apply than a pair (CockroachDB truncates a range's log
 * once it outgrows the range for the same reason). A gap that one reply covers is always replayed.
 */
public final class CatchUpSource {
  /** Upper bound of events per reply, whatever the follower asks: replies stay small. */
  static final int MAX_EVENTS = 2000;

  private final KvStore store;
  private final IntFunction<ShardState> heads;

  public CatchUpSource(KvStore store, IntFunction<ShardState> heads) {
    this.store = store;
    this.heads = heads;
  }

  public CatchUpReply answer(CatchUpRequest request) {
    ShardPosition from = request.getFrom();
    int shard = from.getShard();
    long applied = from.getAppliedSeq();
    ShardState head = heads.apply(shard);
    CatchUpReply.Builder reply = CatchUpReply.newBuilder().setShard(shard).setHeadSeq(head.seq());
    if (applied > head.seq()) {
      return snapshot(reply, "follower applied seq " + applied + " is ahead of the leader's head " + head.seq());
    }
    if (applied > 0 && applied == head.seq() && from.getAppliedEpoch() == head.seqEpoch()) {
      // At the head, in its epoch: nothing to send. Checked before the backlog, which may not hold
      // the head's own entry (a snapshot of a data dir whose backlog was dropped by a migration):
      // else such a follower would be sent to take the same snapshot again, forever.
      return reply.setOutcome(Outcome.OUTCOME_EVENTS).build();
    }
    long behind = head.seq() - applied;
    if (behind > MAX_EVENTS && behind >= head.keys()) {
      return snapshot(reply, behind + " events behind, and the shard holds " + head.keys() + " keys");
    }
    if (applied > 0) {
      Event atApplied = read(shard, applied);
      if (atApplied == null) {
        return snapshot(reply, "the backlog no longer holds seq " + applied);
      }
      if (atApplied.getEpoch() != from.getAppliedEpoch()) {
        return snapshot(reply, "seq " + applied + " was written in epoch " + atApplied.getEpoch()
            + " on the leader but epoch " + from.getAppliedEpoch() + " on the follower");
      }
    } else if (head.seq() > 0 && read(shard, 1) == null) {
      return snapshot(reply, "the backlog no longer starts at seq 1");
    }
    int max = request.getMaxEvents() == 0 ? MAX_EVENTS : Math.min(request.getMaxEvents(), MAX_EVENTS);
    store.forEachLog(shard, applied + 1, (seq, bytes) -> {
      reply.addEvents(parse(bytes));
      return reply.getEventsCount() < max;
    });
    return reply.setOutcome(Outcome.OUTCOME_EVENTS).build();
  }

  private Event read(int shard, long seq) {
    Event[] found = {null};
    store.forEachLog(shard, seq, (at, bytes) -> {
      if (at == seq) {
        found[0] = parse(bytes);
      }
      return false;
    });
    return found[0];
  }

  private static CatchUpReply snapshot(CatchUpReply.Builder reply, String reason) {
    return reply.setOutcome(Outcome.OUTCOME_SNAPSHOT_REQUIRED).setReason(reason).build();
  }

  static Event parse(byte[] bytes) {
    try {
      return Event.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable log entry in the leader's data dir: " + e.getMessage(), e);
    }
  }
}
