package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged jars as an operator runs them: a leader and a gateway as real processes on
 * 127.0.0.1, then the Postman collection through newman and the web page in headless Chromium
 * (src/test/js). Screenshots and reports land in target/it/.
 *
 * <p>Needs node, the npm packages of src/test/js ({@code npm ci} there) and /usr/bin/chromium;
 * .ci/run installs them. Without them the test is skipped with a message, except when the
 * environment variable CI is set: there a missing tool fails the build.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class GatewayIT {
  static final Path JS = Path.of("src", "test", "js").toAbsolutePath();
  static final Path OUT = Path.of("target", "it").toAbsolutePath();
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  static JavaProcess leader;
  static JavaProcess gateway;
  static int gatewayPort;

  @BeforeAll
  static void startCluster() throws IOException {
    Files.createDirectories(OUT);
    int grpc = FreePorts.next();
    leader = JavaProcess.start("leader", JavaProcess.jarOf("kv-leader"), OUT,
        "--host", "127.0.0.1", "--grpc-port", Integer.toString(grpc),
        "--metrics-port", Integer.toString(FreePorts.next()), "--pub-port", Integer.toString(FreePorts.next()),
        "--control-port", Integer.toString(FreePorts.next()),
        "--data-dir", Files.createTempDirectory(OUT, "leader-data").toString());
    leader.awaitPort(grpc, Duration.ofSeconds(60));
    gatewayPort = FreePorts.next();
    String origin = "http://127.0.0.1:" + gatewayPort;
    gateway = JavaProcess.start("gateway", JavaProcess.jarOf("kv-http-gateway"), OUT,
        "--host", "127.0.0.1", "--port", Integer.toString(gatewayPort), "--leader", "127.0.0.1:" + grpc,
        "--cors-origins", origin);
    gateway.awaitPort(gatewayPort, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopCluster() {
    if (gateway != null) {
      gateway.close();
    }
    if (leader != null) {
      leader.close();
    }
  }

  private static String baseUrl() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  @Test
  void thePostmanCollectionPassesUnderNewman() {
    requireNodeTools(JS.resolve("node_modules/newman/bin/newman.js"));

    Result newman = node(Duration.ofMinutes(4), Map.of(), "node_modules/newman/bin/newman.js", "run",
        JS.resolve("../../../postman/kvdb.postman_collection.json").normalize().toString(),
        "--env-var", "baseUrl=" + baseUrl(), "--reporters", "cli,junit",
        "--reporter-junit-export", OUT.resolve("newman-junit.xml").toString(), "--color", "off");

    assertEquals(0, newman.exit(), "newman failed:\n" + newman.output() + gatewayLog());
  }

  @Test
  void theWebPageWorksInHeadlessChromium() {
    requireNodeTools(JS.resolve("node_modules/playwright-core/package.json"));
    if (!Files.isExecutable(CHROMIUM)) {
      missing(CHROMIUM + " (Debian package chromium)");
    }

    Result browser = node(Duration.ofMinutes(4), Map.of("BASE_URL", baseUrl(), "OUT_DIR", OUT.toString(),
        "CHROMIUM", CHROMIUM.toString()), "browser-test.mjs");

    assertEquals(0, browser.exit(), "browser test failed (see target/it/*.png):\n" + browser.output() + gatewayLog());
    assertTrue(browser.output().contains(" 0 failed"), browser.output());
    assertTrue(Files.isRegularFile(OUT.resolve("web-page.png")), "screenshot saved");
    assertTrue(Files.isRegularFile(OUT.resolve("web-page-followers.png")), "screenshot saved");
  }

  @Test
  void helpAndBadFlagsFromTheJar() {
    try (JavaProcess help = JavaProcess.start("gateway-help", JavaProcess.jarOf("kv-http-gateway"), OUT, "--help");
        JavaProcess bad = JavaProcess.start("gateway-bad", JavaProcess.jarOf("kv-http-gateway"), OUT, "--port", "x")) {
      assertTrue(help.waitFor(Duration.ofSeconds(60)));
      assertEquals(0, help.exitValue(), help.log());
      assertTrue(help.log().contains("--leader") && help.log().contains("--cors-origins"), help.log());
      assertTrue(bad.waitFor(Duration.ofSeconds(60)));
      assertEquals(2, bad.exitValue(), bad.log());
      assertTrue(bad.log().contains("--port needs a number"), bad.log());
    }
  }

  private String gatewayLog() {
    return "\n--- gateway log ---\n" + gateway.log();
  }

  private static void requireNodeTools(Path module) {
    if (!onPath("node")) {
      missing("node (Node.js 20+)");
    }
    if (!Files.exists(module)) {
      missing(JS.relativize(module) + " (run `npm ci` in kv-http-gateway/src/test/js)");
    }
  }

  /** A tool is missing: CI must have it (it fails), a developer's build skips with a message. */
  private static void missing(String what) {
    String message = "GatewayIT needs " + what + "; .ci/run installs it";
    if (System.getenv("CI") != null) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  record Result(int exit, String output) {}

  /** Runs node in src/test/js, its output into target/it/ and the result; killed past the timeout. */
  private static Result node(Duration timeout, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(List.of(args));
    Path log = OUT.resolve(Path.of(args[0]).getFileName() + ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(JS.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return new Result(-1, "timed out after " + timeout + "\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
