package io.kvdb.compare.systems;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Every process {@code kv compare} starts, its ports and its temp dir, in one place that stops them
 * all: on {@link #close}, and from a shutdown hook on Ctrl-C or a failure. Each process gets
 * SIGTERM, then {@link #STOP_WAIT} to exit, then SIGKILL; the temp dir is deleted last.
 */
public final class Processes implements AutoCloseable {
  /** How long a process may take to exit after SIGTERM before it is killed. */
  static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Path dir;
  private final int portBase;
  private int nextPort;
  private final List<Started> started = Collections.synchronizedList(new ArrayList<>());
  private final Thread hook = new Thread(this::stopAll, "compare-stop-on-exit");
  private boolean closed;

  /** A process, its name and its log. */
  public record Started(String name, Process process, Path log) {}

  /**
   * @param portBase 0: ports the OS hands out; else free ports counted up from it
   */
  public Processes(int portBase) {
    try {
      this.dir = Files.createTempDirectory("kv-compare-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temp dir", e);
    }
    this.portBase = portBase;
    this.nextPort = portBase;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The temp dir; each system's data goes in a sub-dir of it. */
  public Path dir() {
    return dir;
  }

  /** A port free on 127.0.0.1 now. */
  public synchronized int freePort() {
    if (portBase == 0) {
      try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free port", e);
      }
    }
    while (nextPort < 65536) {
      int port = nextPort++;
      try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // the next one
      }
    }
    throw new IllegalStateException("no free port from " + portBase);
  }

  /** Starts {@code command}, its output to {@code dir/logs/name.log}. */
  public Started start(String name, List<String> command) {
    try {
      Path log = Files.createDirectories(dir.resolve("logs")).resolve(name + ".log");
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      Started one = new Started(name, process, log);
      started.add(one);
      return one;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
    }
  }

  /**
   * Waits until something listens on 127.0.0.1:{@code port}, at most {@code timeout}.
   *
   * @throws IllegalStateException when the process exits first or the time is up, with its log's tail
   */
  public void awaitPort(Started process, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.process().isAlive()) {
        throw new IllegalStateException(process.name() + " exited (code " + process.process().exitValue()
            + ") before it opened port " + port + "; its log ends:\n" + tail(process.log()));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    throw new IllegalStateException(process.name() + " did not open port " + port + " within "
        + timeout.toSeconds() + " s; its log ends:\n" + tail(process.log()));
  }

  /** Stops {@code process} now (SIGTERM, bounded wait, SIGKILL). */
  public void stop(Started process) {
    started.remove(process);
    stopEach(List.of(process));
  }

  /** The last lines of a log, for an error message. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void stopAll() {
    List<Started> all;
    synchronized (started) {
      all = new ArrayList<>(started);
      started.clear();
    }
    stopEach(all);
    deleteDir();
  }

  private static void stopEach(List<Started> processes) {
    processes.forEach(p -> p.process().destroy());
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    for (Started p : processes) {
      try {
        if (!p.process().waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          System.err.println("compare: " + p.name() + " did not stop within " + STOP_WAIT.toSeconds()
              + " s of SIGTERM: killed");
          p.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void deleteDir() {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("compare: could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** Stops every process still running and deletes the temp dir. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // called from within shutdown: the hook runs (and finds nothing left) anyway
    }
  }
}
