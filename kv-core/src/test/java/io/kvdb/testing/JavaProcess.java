package io.kvdb.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kvdb process started from its packaged jar ({@code java -jar}), as an operator would start it.
 * Child JVMs get the small-heap, quick-start flags of the system property
 * {@code kvdb.test.childJvmArgs} so that a cluster of them fits on a 2-core CI machine. Output goes
 * to a log file that failing tests print.
 */
public final class JavaProcess implements AutoCloseable {
  private static final String DEFAULT_JVM_ARGS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

  private final String name;
  private final Process process;
  private final Path logFile;
  /** Where this run's output starts in the log file, which is appended across restarts. */
  private final long logStart;

  private JavaProcess(String name, Process process, Path logFile, long logStart) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.logStart = logStart;
  }

  /** Starts {@code jar} with {@code args}, logging to {@code logDir/name.log} (appended across restarts). */
  public static JavaProcess start(String name, Path jar, Path logDir, String... args) {
    return start(name, List.of(), jar, logDir, args);
  }

  /**
   * Like {@link #start(String, Path, Path, String...)}, with {@code launcher} put before the java
   * command, e.g. {@code ip netns exec NS} to run it in a network namespace. The launcher must exec
   * java in its own process, so that signals reach the JVM.
   */
  public static JavaProcess start(String name, List<String> launcher, Path jar, Path logDir, String... args) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests through `mvn verify`, which packages it first");
    }
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(System.getProperty("kvdb.test.childJvmArgs", DEFAULT_JVM_ARGS).trim().split("\\s+")));
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(Arrays.asList(args));
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      Files.writeString(log, "\n=== start: " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      long logStart = Files.size(log);
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return new JavaProcess(name, process, log, logStart);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The packaged jar of a module, from the module's own directory or the repo root. */
  public static Path jarOf(String module) {
    for (Path base : List.of(Path.of(".."), Path.of("."))) {
      Path jar = base.resolve(module).resolve("target").resolve(module + ".jar").toAbsolutePath().normalize();
      if (Files.isRegularFile(jar)) {
        return jar;
      }
    }
    return Path.of("..", module, "target", module + ".jar").toAbsolutePath().normalize();
  }

  /** Waits until the process accepts TCP connections on {@code port}, or fails with its log. */
  public JavaProcess awaitPort(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return this;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    throw new IllegalStateException(name + " did not open port " + port + " within " + timeout + ":\n" + log());
  }

  /** What this run of the process has logged so far (earlier runs' output excluded). */
  public String logSinceStart() {
    try {
      byte[] all = Files.readAllBytes(logFile);
      int from = (int) Math.min(logStart, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** kill -9: no shutdown hook, no flush; what was not synced may be lost. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** SIGTERM, then waits for the exit code. */
  public int terminate(Duration timeout) {
    process.destroy();
    if (!waitFor(timeout)) {
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(10));
    }
    return process.exitValue();
  }

  /** SIGSTOP: the process freezes, its sockets stay open. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited with " + exit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit; true when it did. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** The whole log of this process so far. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public Path logFile() {
    return logFile;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(10));
    }
  }
}
