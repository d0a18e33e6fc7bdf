package io.kvdb.core.process;

import io.kvdb.common.process.ExitCodes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the long-lived threads a process owns (the writer, the publisher, the replication loop) and
 * acts when one dies. A thread that throws, or returns while the process is not stopping, is a death:
 * the log says which thread and why, every {@link #onDeath} hook runs (health turns NOT_SERVING, the
 * writer fails its queue, a follower withdraws its shards), then the process exits with
 * {@link ExitCodes#THREAD_DIED} so that its supervisor restarts it. Serving on with a dead thread
 * would look healthy while nothing moves.
 */
public final class Supervisor {
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** Which thread died, and why. */
  public record Death(String thread, Throwable cause) {
    /** One line for logs and /health. */
    public String describe() {
      return "thread " + thread + " died: " + cause;
    }
  }

  private final String process;
  private final IntConsumer exit;
  private final List<Runnable> onDeath = new CopyOnWriteArrayList<>();
  private final AtomicReference<Death> death = new AtomicReference<>();
  private volatile boolean stopping;

  /**
   * @param process the process's name for the log ("kv leader")
   * @param exit what ends the process; {@code System::exit} in the mains, a recorder in tests
   */
  public Supervisor(String process, IntConsumer exit) {
    this.process = process;
    this.exit = exit;
  }

  /** A supervisor that ends the JVM. */
  public static Supervisor exitingJvm(String process) {
    return new Supervisor(process, System::exit);
  }

  /** Runs {@code hook} when a supervised thread dies, before the exit; hooks run in the order given. */
  public void onDeath(Runnable hook) {
    onDeath.add(hook);
  }

  /** Starts {@code body} on a new thread named {@code name}, watched by this supervisor. */
  public Thread start(String name, Runnable body) {
    return start(name, body, () -> false);
  }

  /**
   * Starts {@code body} like {@link #start(String, Runnable)}, for a thread whose owner may stop it
   * while the process runs on (a component closed on its own, as tests do): once {@code stopAsked}
   * says true, the thread's end is not a death.
   */
  public Thread start(String name, Runnable body, BooleanSupplier stopAsked) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
        if (!stopping && !stopAsked.getAsBoolean()) {
          died(name, new IllegalStateException("returned while the process was not stopping"));
        }
      } catch (Throwable e) {
        if (!stopping && !stopAsked.getAsBoolean()) {
          died(name, e);
        } else {
          log.debug("thread {} ended with {} while stopping", name, e.toString());
        }
      }
    }, name);
    thread.start();
    return thread;
  }

  /** The process is stopping: threads that end from now on are not deaths. */
  public void stopping() {
    stopping = true;
  }

  /** The first death, if a supervised thread died. */
  public Optional<Death> death() {
    return Optional.ofNullable(death.get());
  }

  private void died(String thread, Throwable cause) {
    Death first = new Death(thread, cause);
    if (!death.compareAndSet(null, first)) {
      log.error("{}: thread {} died too: {}", process, thread, cause.toString(), cause);
      return;
    }
    log.error("{}: {}; stopping service and exiting with status {}", process, first.describe(),
        ExitCodes.THREAD_DIED, cause);
    for (Runnable hook : onDeath) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.error("{}: a hook after the death of thread {} failed", process, thread, e);
      }
    }
    // Exit from a thread of its own: System.exit runs the shutdown hooks, which join the process's
    // threads, and this one would be joined from inside itself.
    Thread exiting = new Thread(() -> exit.accept(ExitCodes.THREAD_DIED), "kv-exit");
    exiting.setDaemon(false);
    exiting.start();
  }
}
