package io.kvdb.cli;

import io.grpc.Status;
import io.kvdb.api.v1.DrainResponse;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.cli.json.JsonObject;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.common.process.ExitCodes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code kv drain FOLLOWER_ID} and {@code kv undrain FOLLOWER_ID}. A drain waits until the follower
 * holds nothing (its shards moved to the other followers, make-before-break), printing how many
 * shards it still holds as that changes; exit 0 once done, 1 with the leader's reason when the
 * drain is refused or does not end (fewer than R other live followers, an unknown follower, an
 * undrain meanwhile, {@link #DEADLINE}). A refused token or an unreachable leader exits 3, as for
 * every command.
 */
final class Drain {
  /** How long {@code kv drain} waits: the new holders may have whole shards to copy. */
  static final Duration DEADLINE = Duration.ofHours(1);
  /** How often the progress line is refreshed from the leader's status. */
  private static final long PROGRESS_MS = 1000;
  /** Codes that say why this drain did not happen or end, rather than that the leader was not reached. */
  private static final Set<Status.Code> DRAIN_FAILURES = Set.of(Status.Code.FAILED_PRECONDITION, Status.Code.NOT_FOUND,
      Status.Code.ABORTED, Status.Code.DEADLINE_EXCEEDED, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);

  private final KvClient leader;
  private final Output output;
  /** Where the progress lines go: stdout as text, stderr with --json (stdout holds only the answer). */
  private final PrintStream progressLines;

  Drain(KvClient leader, Output output) {
    this.leader = leader;
    this.output = output;
    this.progressLines = output.json() ? output.err() : output.out();
  }

  int drain(String id) {
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "kv-drain-progress");
      thread.setDaemon(true);
      return thread;
    });
    int[] lastHeld = {-1};
    progress.scheduleWithFixedDelay(() -> printHeld(id, lastHeld), 0, PROGRESS_MS, TimeUnit.MILLISECONDS);
    try {
      DrainResponse done = leader.withOptions(leader.options().withDeadline(DEADLINE)).drain(id);
      stop(progress);
      if (output.json()) {
        output.print(new JsonObject().put("follower_id", id).put("drained", true).putFields(done));
      } else {
        output.out().printf("drained %s: %d shard(s) moved to other followers, it holds none (placement v%d)%n", id,
            done.getMovedShardsCount(), done.getAssignmentVersion());
      }
      return ExitCodes.OK;
    } catch (KvException e) {
      stop(progress);
      if (!DRAIN_FAILURES.contains(e.status().getCode())) {
        throw e;
      }
      return output.failed(ExitCodes.FAILED, e, "drain " + id + " failed: ", "");
    }
  }

  int undrain(String id) {
    try {
      boolean was = leader.undrain(id);
      if (output.json()) {
        output.print(new JsonObject().put("follower_id", id).put("was_drained", was));
      } else {
        output.out().println(was ? "undrained " + id + ": it takes shards again"
            : id + " was not drained: nothing changed");
      }
      return ExitCodes.OK;
    } catch (KvException e) {
      if (e.status().getCode() != Status.Code.NOT_FOUND) {
        throw e;
      }
      return output.failed(ExitCodes.FAILED, e, "undrain " + id + " failed: ", "");
    }
  }

  /** Stops the progress lines, so that none comes after the last line. */
  private static void stop(ScheduledExecutorService progress) {
    progress.shutdownNow();
    try {
      progress.awaitTermination(Connection.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One line whenever the number of shards the follower holds changes; silent when status fails. */
  private void printHeld(String id, int[] lastHeld) {
    try {
      Optional<FollowerInfo> follower = leader.status().getFollowersList().stream()
          .filter(f -> f.getId().equals(id)).findFirst();
      if (follower.isPresent() && follower.get().getShardsCount() != lastHeld[0]) {
        lastHeld[0] = follower.get().getShardsCount();
        progressLines.printf("draining %s: it holds %d shard(s)%n", id, lastHeld[0]);
      }
    } catch (KvException e) {
      // progress is a courtesy: the drain call itself says how it ended
    }
  }
}
