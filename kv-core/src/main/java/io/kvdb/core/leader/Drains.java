package io.kvdb.core.leader;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.common.errors.ErrorReasons;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The rules of Cluster.Drain and Cluster.Undrain, and the calls waiting for a drain to end. Run by
 * {@link Membership} under its lock, as {@link HandOvers} is.
 *
 * <p>A drain moves nothing itself: a drained follower is left out of placement, so the next
 * placement gives its shards to others and {@link HandOvers} keeps each with it until every new
 * holder is ready (make-before-break). Its assignment then empties, it is told so, and once it
 * acked that empty assignment (or is dead) the waiting calls complete.
 */
final class Drains {
  /** A call waiting for a drain, with the shards the follower held when the call came. */
  private record Waiting(CompletableFuture<DrainResponse> done, List<Integer> held) {}

  private final Map<String, List<Waiting>> waiting = new HashMap<>();

  /**
   * The member {@code id} if it may be drained: known, and (unless it is drained already) with at
   * least {@code replicationFactor} other live, undrained followers to take its shards.
   *
   * @throws StatusRuntimeException NOT_FOUND or FAILED_PRECONDITION, before anything changes
   */
  static Member drainable(Map<String, Member> members, String id, int replicationFactor) {
    Member member = known(members, id);
    if (member.drained) {
      return member;
    }
    List<String> others = members.values().stream()
        .filter(m -> m.alive && !m.drained && !m.id.equals(id)).map(m -> m.id).toList();
    if (others.size() < replicationFactor) {
      throw Status.FAILED_PRECONDITION.withDescription("cannot drain follower " + id + ": R=" + replicationFactor
          + " needs at least " + replicationFactor + " other live, undrained follower(s) to take its shards, and there "
          + (others.size() == 1 ? "is 1" : "are " + others.size()) + (others.isEmpty() ? "" : " " + others)
          + "; nothing was moved").asRuntimeException();
    }
    return member;
  }

  /**
   * The member {@code id}.
   *
   * @throws StatusRuntimeException NOT_FOUND when the leader does not know it
   */
  static Member known(Map<String, Member> members, String id) {
    Member member = members.get(id);
    if (member == null) {
      throw Status.NOT_FOUND.withDescription("no follower '" + id + "' is known to this leader (see kv status)")
          .asRuntimeException();
    }
    return member;
  }

  /**
   * Sets {@code member}'s drained flag and keeps it with {@code keep}; when that fails (the disk
   * reserve), undoes it.
   *
   * @throws StatusRuntimeException DISK_FULL when the flag could not be kept
   */
  static void mark(Member member, boolean drained, BooleanSupplier keep) {
    member.drained = drained;
    if (!keep.getAsBoolean()) {
      member.drained = !drained;
      throw ErrorReasons.diskFull("the leader's disk is below its reserve (--min-free-disk): the drained state of "
          + member.id + " cannot be kept; nothing changed");
    }
  }

  /** A wait for {@code member}'s drain (it is marked drained already) to end; see {@link #settle}. */
  CompletableFuture<DrainResponse> await(Member member) {
    CompletableFuture<DrainResponse> done = new CompletableFuture<>();
    waiting.computeIfAbsent(member.id, x -> new ArrayList<>()).add(new Waiting(done, List.copyOf(member.assigned)));
    return done;
  }

  /**
   * A drained follower that is dead hands nothing over (it holds no live copy, and placement gave
   * its shards to others when it died): its assignment empties at once, so that it drops its data
   * if it comes back. Adds those empty assignments to {@code next}.
   */
  static void emptyDead(Map<String, Member> members, Map<String, Set<Integer>> next) {
    for (Member member : members.values()) {
      if (member.drained && !member.alive && !member.assigned.isEmpty()) {
        next.put(member.id, new TreeSet<>());
      }
    }
  }

  /** Completes the waits of every drained follower that holds nothing now and acked that (or is dead). */
  void settle(Map<String, Member> members) {
    if (waiting.isEmpty()) {
      return;
    }
    waiting.entrySet().removeIf(entry -> {
      Member member = members.get(entry.getKey());
      boolean done = member.drained && member.assigned.isEmpty()
          && (!member.alive || member.ackedVersion >= member.assignedVersion);
      if (done) {
        entry.getValue().forEach(wait -> wait.done().complete(DrainResponse.newBuilder()
            .addAllMovedShards(wait.held()).setAssignmentVersion(member.assignedVersion).build()));
      }
      return done;
    });
  }

  /** Ends the waits for {@code id}'s drain, which an undrain cancelled, with ABORTED. */
  void abort(String id) {
    List<Waiting> ended = waiting.remove(id);
    if (ended != null) {
      ended.forEach(wait -> wait.done().completeExceptionally(Status.ABORTED
          .withDescription("follower " + id + " was undrained before its drain ended").asRuntimeException()));
    }
  }

  /** Drains with calls waiting for them. */
  int pending() {
    return waiting.size();
  }
}
