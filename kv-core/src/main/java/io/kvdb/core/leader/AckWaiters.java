package io.kvdb.core.leader;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes waiting for follower acks (like Redis WAIT). A waiter completes with the number of
 * distinct holders that applied its seq as soon as that reaches its minimum, or with the count so
 * far when its deadline passes: a timeout is not an error, the write is committed either way.
 */
final class AckWaiters {
  private final ScheduledExecutorService timer;
  private final Map<Integer, List<Waiter>> byShard = new HashMap<>();

  private static final class Waiter {
    final long seq;
    final int minAcks;
    final Set<String> acked = new HashSet<>();
    final CompletableFuture<Integer> done = new CompletableFuture<>();

    Waiter(long seq, int minAcks) {
      this.seq = seq;
      this.minAcks = minAcks;
    }
  }

  AckWaiters(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /**
   * Registers a waiter; {@code alreadyApplied} are the holders whose last ack already covers seq.
   */
  synchronized CompletableFuture<Integer> await(int shard, long seq, int minAcks, long timeoutMs,
      Set<String> alreadyApplied) {
    Waiter waiter = new Waiter(seq, minAcks);
    waiter.acked.addAll(alreadyApplied);
    if (waiter.acked.size() >= minAcks) {
      return CompletableFuture.completedFuture(waiter.acked.size());
    }
    byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(waiter);
    timer.schedule(() -> expire(shard, waiter), timeoutMs, TimeUnit.MILLISECONDS);
    return waiter.done;
  }

  /** A current holder of {@code shard} has applied everything up to {@code applied}. */
  synchronized void onApplied(String followerId, int shard, long applied) {
    List<Waiter> waiters = byShard.get(shard);
    if (waiters == null) {
      return;
    }
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (applied >= waiter.seq && waiter.acked.add(followerId) && waiter.acked.size() >= waiter.minAcks) {
        waiter.done.complete(waiter.acked.size());
        it.remove();
      }
    }
    if (waiters.isEmpty()) {
      byShard.remove(shard);
    }
  }

  private synchronized void expire(int shard, Waiter waiter) {
    List<Waiter> waiters = byShard.get(shard);
    if (waiters != null && waiters.remove(waiter)) {
      waiter.done.complete(waiter.acked.size());
      if (waiters.isEmpty()) {
        byShard.remove(shard);
      }
    }
  }
}
