package io.kvdb.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in this JVM, as its main does, and keeps its exit code and what it printed. */
final class CliRun {
  private CliRun() {}

  /** The exit code, stdout and stderr of one run. */
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    return run(Map.of(), args);
  }

  /** With {@code env} as the environment (KV_TOKEN and the like). */
  static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KvCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code args} after {@code --leader address}. */
  static String[] withLeader(String address, String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "--leader";
    full[1] = address;
    System.arraycopy(args, 0, full, 2, args.length);
    return full;
  }
}
