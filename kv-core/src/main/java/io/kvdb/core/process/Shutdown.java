package io.kvdb.core.process;

import io.grpc.Server;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Bounded waits used when a process stops, so that one stuck part cannot hang the shutdown. */
public final class Shutdown {
  private static final long WAIT_MS = 5_000;

  private Shutdown() {}

  /** Lets calls in flight finish for up to 5 s, then cancels the rest. */
  public static void grpc(Server server) {
    server.shutdown();
    try {
      if (!server.awaitTermination(WAIT_MS, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  /** Lets queued tasks finish for up to 5 s, then interrupts the rest. */
  public static void executor(ExecutorService executor) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(WAIT_MS, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }

  /** Waits up to 5 s for a thread that was told to stop. */
  public static void join(Thread thread) {
    try {
      thread.join(WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
