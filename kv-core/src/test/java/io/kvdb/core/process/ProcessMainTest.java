package io.kvdb.core.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.common.config.Flags;
import io.kvdb.common.process.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a server main does with its command line, in a JVM of its own (it calls System.exit): help
 * exits 0, every bad flag exits 2 with a message that names it.
 */
@Timeout(120)
class ProcessMainTest {
  /** A server main with two flags, as the leader's and the follower's are built. */
  public static final class TestMain {
    public static void main(String[] args) throws InterruptedException {
      Flags flags = new Flags("kv test").declare("port", "1", "a port").declareBoolean("verbose", "talk more");
      ProcessMain.run("kv test", flags, args, f -> f.integer("port") + (f.bool("verbose") ? 1 : 0), port -> {
        throw new IllegalStateException("port " + port + ": this test starts no server");
      });
    }
  }

  private record Exit(int code, String out, String err) {}

  private static Exit run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        TestMain.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the test main did not exit");
    return new Exit(process.exitValue(), out, err);
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() throws Exception {
    Exit help = run("--port", "x", "-h");
    assertEquals(ExitCodes.OK, help.code(), help.err());
    assertTrue(help.out().startsWith("usage: kv test [flags]\n"), help.out());
    assertTrue(help.out().contains("  --port VALUE") && help.out().contains("  --verbose "), help.out());
  }

  @Test
  void badFlagsExitTwoNamingTheFlag() throws Exception {
    assertBadInput("kv test: unknown flag --prot (see --help)", "--prot", "2");
    assertBadInput("kv test: flag --port needs a value", "--port");
    assertBadInput("kv test: flag --port needs a number, got 'x'", "--port", "x");
    assertBadInput("kv test: flag --verbose needs true or false (or yes/no, 1/0), got 'maybe'", "--verbose=maybe");
    assertBadInput("kv test: unexpected argument 'start' (flags start with --; see --help)", "start");
  }

  @Test
  void aConfigThatCannotBeServedIsBadInputToo() throws Exception {
    assertBadInput("kv test: port 3: this test starts no server", "--port", "2", "--verbose=YES");
  }

  private static void assertBadInput(String message, String... args) throws Exception {
    Exit exit = run(args);
    assertEquals(ExitCodes.BAD_INPUT, exit.code(), exit.err());
    assertEquals(message + "\n", exit.err());
  }
}
