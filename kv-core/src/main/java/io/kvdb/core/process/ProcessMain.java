package io.kvdb.core.process;

import io.kvdb.common.config.Flags;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.storage.StorageException;
import java.io.IOException;
import java.util.function.Function;

/**
 * The main of every kvdb server process: parse flags, start, stop cleanly on SIGTERM or Ctrl-C.
 * Exit codes ({@link ExitCodes}) are the same for all: 2 a bad flag or file, 3 a data dir that cannot be used, 4 a port
 * or another resource that cannot be had, 70 a thread of the process died ({@link Supervisor}).
 */
public final class ProcessMain {
  private ProcessMain() {}

  /** A server as the mains run it. */
  public interface Server {
    void start() throws IOException;

    void stop();

    void blockUntilShutdown() throws InterruptedException;
  }

  /**
   * Runs the process {@code name} (e.g. "kv leader"): {@code configure} turns the parsed flags into
   * a config, {@code create} makes the server of it; both may throw IllegalArgumentException or
   * IllegalStateException with a message for the operator.
   */
  public static <C> void run(String name, Flags flags, String[] args, Function<Flags, C> configure,
      Function<C, Server> create) throws InterruptedException {
    Server server;
    try {
      if (!flags.parse(args)) {
        System.out.print(flags.usage());
        return;
      }
      server = create.apply(configure.apply(flags));
    } catch (IllegalArgumentException | IllegalStateException e) {
      exit(name, e.getMessage(), ExitCodes.BAD_INPUT);
      return;
    }
    try {
      server.start();
    } catch (StorageException e) {
      exit(name, e.getMessage(), ExitCodes.DATA_DIR);
      return;
    } catch (IOException | IllegalStateException e) {
      exit(name, "cannot start: " + e.getMessage(), ExitCodes.UNAVAILABLE);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // The logger may already be shut down here: write to stderr.
      System.err.println(name + ": shutting down");
      server.stop();
      System.err.println(name + ": stopped, data dir closed");
    }, "shutdown"));
    server.blockUntilShutdown();
  }

  private static void exit(String name, String message, int status) {
    System.err.println(name + ": " + message);
    System.exit(status);
  }
}
