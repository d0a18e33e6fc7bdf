package io.kvdb.core.leader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes waiting for follower acks (like Redis WAIT). A waiter completes with the number of
 * distinct holders that applied its seq as soon as that reaches its minimum, or with the count so
 * far when its deadline passes: a timeout is not an error, the write is committed either way. A
 * waiter whose future is cancelled (its client went away) is dropped at once.
 *
 * <p>It keeps, per follower, the applied seq of each shard whose ack counts: a shard the follower
 * is assigned, at the assignment version it acked, and not syncing. {@link Membership} sets these
 * positions on every ack and clears them when they stop counting (a new hello, a new assignment,
 * death). Registering a waiter and checking those positions happen under this class's lock alone,
 * which an ack also takes, so no ack slips between the check and the wait and the writer thread
 * never waits for Membership.
 *
 * <p>Waiters complete on the timer's thread, never under a lock nor on the control thread: their
 * callbacks answer gRPC calls.
 */
final class AckWaiters {
  private static final long NONE = -1;

  private final ScheduledExecutorService timer;
  private final int shards;
  private final Map<Integer, List<Waiter>> byShard = new HashMap<>();
  /** Follower id to its counted applied seq per shard ({@link #NONE} where its ack does not count). */
  private final Map<String, long[]> counted = new HashMap<>();
  private int pending;

  private static final class Waiter {
    final int shard;
    final long seq;
    final int minAcks;
    final Set<String> acked = new HashSet<>();
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    ScheduledFuture<?> deadline;

    Waiter(int shard, long seq, int minAcks) {
      this.shard = shard;
      this.seq = seq;
      this.minAcks = minAcks;
    }
  }

  AckWaiters(ScheduledExecutorService timer, int shards) {
    this.timer = timer;
    this.shards = shards;
  }

  /** Completes once {@code minAcks} followers whose acks count have applied {@code seq} of {@code shard}. */
  synchronized CompletableFuture<Integer> await(int shard, long seq, int minAcks, long timeoutMs) {
    Waiter waiter = new Waiter(shard, seq, minAcks);
    counted.forEach((id, applied) -> {
      if (applied[shard] >= seq) {
        waiter.acked.add(id);
      }
    });
    if (waiter.acked.size() >= minAcks) {
      return CompletableFuture.completedFuture(waiter.acked.size());
    }
    byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(waiter);
    pending++;
    waiter.deadline = timer.schedule(() -> expire(waiter), timeoutMs, TimeUnit.MILLISECONDS);
    // A cancelled future (the call's gRPC Context was cancelled) frees its waiter now, not at its deadline.
    waiter.done.whenComplete((acks, error) -> {
      if (waiter.done.isCancelled()) {
        remove(waiter);
      }
    });
    return waiter.done;
  }

  /**
   * A follower acked: {@code countingPositions} maps each shard where its ack counts to the seq it
   * applied there, and replaces what was counted for that follower before.
   */
  void onAck(String followerId, Map<Integer, Long> countingPositions) {
    List<Waiter> satisfied = new ArrayList<>();
    synchronized (this) {
      long[] applied = counted.computeIfAbsent(followerId, id -> new long[shards]);
      Arrays.fill(applied, NONE);
      countingPositions.forEach((shard, seq) -> applied[shard] = seq);
      for (Iterator<Map.Entry<Integer, List<Waiter>>> shardIt = byShard.entrySet().iterator(); shardIt.hasNext(); ) {
        Map.Entry<Integer, List<Waiter>> entry = shardIt.next();
        long seq = applied[entry.getKey()];
        for (Iterator<Waiter> it = entry.getValue().iterator(); it.hasNext(); ) {
          Waiter waiter = it.next();
          if (seq >= waiter.seq && waiter.acked.add(followerId) && waiter.acked.size() >= waiter.minAcks) {
            it.remove();
            pending--;
            satisfied.add(waiter);
          }
        }
        if (entry.getValue().isEmpty()) {
          shardIt.remove();
        }
      }
    }
    satisfied.forEach(waiter -> finish(waiter, waiter.acked.size()));
  }

  /** The follower's acks no longer count until it acks again (it said hello, got a new assignment, or died). */
  synchronized void forget(String followerId) {
    counted.remove(followerId);
  }

  /** Writes waiting now. */
  synchronized int pending() {
    return pending;
  }

  private void expire(Waiter waiter) {
    int acks;
    synchronized (this) {
      if (!unlink(waiter)) {
        return;
      }
      acks = waiter.acked.size();
    }
    waiter.done.complete(acks);
  }

  private synchronized void remove(Waiter waiter) {
    if (unlink(waiter)) {
      waiter.deadline.cancel(false);
    }
  }

  /** Removes a registered waiter; false when it was no longer registered. Holds the lock. */
  private boolean unlink(Waiter waiter) {
    List<Waiter> waiters = byShard.get(waiter.shard);
    if (waiters == null || !waiters.remove(waiter)) {
      return false;
    }
    pending--;
    if (waiters.isEmpty()) {
      byShard.remove(waiter.shard);
    }
    return true;
  }

  private void finish(Waiter waiter, int acks) {
    waiter.deadline.cancel(false);
    try {
      timer.execute(() -> waiter.done.complete(acks));
    } catch (RejectedExecutionException stopping) {
      waiter.done.complete(acks); // the leader is stopping: answer here rather than never
    }
  }
}
