package io.kvdb.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs the system commands the fault tests need (ip, mount), each bounded in time. */
final class Shell {
  private Shell() {}

  /** Runs {@code command}; null when it exited 0, else why not (its output, or the error). */
  static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "timed out";
      }
      return process.exitValue() == 0 ? null : output.isBlank() ? "exit " + process.exitValue() : output;
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  /** Runs {@code command}, failing with its output unless it exits 0. */
  static void require(String... command) {
    String failure = run(command);
    if (failure != null) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + failure.trim());
    }
  }
}
