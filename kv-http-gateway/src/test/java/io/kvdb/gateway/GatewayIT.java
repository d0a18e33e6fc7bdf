package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HashMap;
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
 * (src/test/js). A second pair runs the leader with --token-file: the collection passes with a
 * write token, and the page asks for the token. Screenshots and reports land in target/it/.
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

  static final String READ_TOKEN = "it-read-token-" + Long.toHexString(System.nanoTime());
  static final String WRITE_TOKEN = "it-write-token-" + Long.toHexString(System.nanoTime());

  /** A leader and the gateway in front of it, as processes. */
  record Pair(JavaProcess leader, JavaProcess gateway, int gatewayPort) implements AutoCloseable {
    String baseUrl() {
      return "http://127.0.0.1:" + gatewayPort;
    }

    String gatewayLog() {
      return "\n--- gateway log ---\n" + gateway.log();
    }

    @Override
    public void close() {
      gateway.close();
      leader.close();
    }
  }

  static Pair open;
  static Pair withTokens;

  @BeforeAll
  static void startCluster() throws IOException {
    Files.createDirectories(OUT);
    open = startPair("", List.of());
    Path tokens = OUT.resolve("tokens");
    Files.writeString(tokens, "read " + READ_TOKEN + "\nwrite " + WRITE_TOKEN + "\n", StandardCharsets.UTF_8);
    withTokens = startPair("-tokens", List.of("--token-file", tokens.toString()));
  }

  /** A leader (with {@code leaderFlags}) and a gateway; their logs are target/it/leader{suffix}.log... */
  private static Pair startPair(String suffix, List<String> leaderFlags) throws IOException {
    int grpc = FreePorts.next();
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--grpc-port", Integer.toString(grpc),
        "--metrics-port", Integer.toString(FreePorts.next()), "--pub-port", Integer.toString(FreePorts.next()),
        "--control-port", Integer.toString(FreePorts.next()),
        "--data-dir", Files.createTempDirectory(OUT, "leader-data").toString()));
    args.addAll(leaderFlags);
    JavaProcess leader = JavaProcess.start("leader" + suffix, JavaProcess.jarOf("kv-leader"), OUT,
        args.toArray(String[]::new));
    leader.awaitPort(grpc, Duration.ofSeconds(60));
    int port = FreePorts.next();
    JavaProcess gateway = JavaProcess.start("gateway" + suffix, JavaProcess.jarOf("kv-http-gateway"), OUT,
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--leader", "127.0.0.1:" + grpc,
        "--cors-origins", "http://127.0.0.1:" + port);
    gateway.awaitPort(port, Duration.ofSeconds(60));
    return new Pair(leader, gateway, port);
  }

  @AfterAll
  static void stopCluster() {
    for (Pair pair : new Pair[] {open, withTokens}) {
      if (pair != null) {
        pair.close();
      }
    }
  }

  @Test
  void thePostmanCollectionPassesUnderNewman() {
    Result newman = newman(open, "newman", List.of());

    assertEquals(0, newman.exit(), "newman failed:\n" + newman.output() + open.gatewayLog());
  }

  @Test
  void thePostmanCollectionPassesWithAWriteTokenAgainstALeaderWithTokens() {
    Result newman = newman(withTokens, "newman-tokens", List.of("--env-var", "token=" + WRITE_TOKEN));

    assertEquals(0, newman.exit(), "newman failed:\n" + newman.output() + withTokens.gatewayLog());
    assertTrue(newman.output().contains("401 with a Bearer challenge"), "the access control checks ran with tokens on");
  }

  @Test
  void theWebPageWorksInHeadlessChromium() {
    Result browser = browser(open, "web-page", Map.of());

    assertTrue(Files.isRegularFile(OUT.resolve("web-page.png")), "screenshot saved");
    assertTrue(Files.isRegularFile(OUT.resolve("web-page-followers.png")), "screenshot saved");
    assertFalse(browser.output().contains("asks for a token"), "no token steps without tokens");
  }

  @Test
  void theWebPageAsksForATokenWhenTheLeaderRequiresOne() {
    Result browser = browser(withTokens, "web-page-tokens", Map.of("READ_TOKEN", READ_TOKEN, "WRITE_TOKEN", WRITE_TOKEN));

    assertTrue(browser.output().contains("ok   a wrong token shows the error"), browser.output());
    assertTrue(browser.output().contains("ok   sign out forgets the token; a read token may look but not write"),
        browser.output());
    assertTrue(Files.isRegularFile(OUT.resolve("web-page-tokens-token.png")), "screenshot of the token dialog");
    assertFalse(withTokens.gateway().log().contains(WRITE_TOKEN) || withTokens.leader().log().contains(WRITE_TOKEN),
        "tokens never reach a log");
  }

  private Result newman(Pair pair, String name, List<String> extra) {
    requireNodeTools(JS.resolve("node_modules/newman/bin/newman.js"));
    List<String> args = new ArrayList<>(List.of("node_modules/newman/bin/newman.js", "run",
        JS.resolve("../../../postman/kvdb.postman_collection.json").normalize().toString(),
        "--env-var", "baseUrl=" + pair.baseUrl(), "--reporters", "cli,junit",
        "--reporter-junit-export", OUT.resolve(name + "-junit.xml").toString(), "--color", "off"));
    args.addAll(extra);
    return node(Duration.ofMinutes(4), Map.of(), name + ".log", args.toArray(String[]::new));
  }

  /** Runs browser-test.mjs against {@code pair}'s gateway; fails unless every step passed. */
  private Result browser(Pair pair, String shots, Map<String, String> tokens) {
    requireNodeTools(JS.resolve("node_modules/playwright-core/package.json"));
    if (!Files.isExecutable(CHROMIUM)) {
      missing(CHROMIUM + " (Debian package chromium)");
    }
    Map<String, String> env = new HashMap<>(Map.of("BASE_URL", pair.baseUrl(), "OUT_DIR", OUT.toString(),
        "CHROMIUM", CHROMIUM.toString(), "SHOTS", shots));
    env.putAll(tokens);

    Result browser = node(Duration.ofMinutes(4), env, shots + ".log", "browser-test.mjs");

    assertEquals(0, browser.exit(), "browser test failed (see target/it/*.png):\n" + browser.output()
        + pair.gatewayLog());
    assertTrue(browser.output().contains(" 0 failed"), browser.output());
    return browser;
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
    Path missing = OUT.resolve("no-such-cert.pem");
    try (JavaProcess noCert = JavaProcess.start("gateway-no-cert", JavaProcess.jarOf("kv-http-gateway"), OUT,
        "--tls-cert", missing.toString(), "--tls-key", missing.toString())) {
      assertTrue(noCert.waitFor(Duration.ofSeconds(60)));
      assertEquals(2, noCert.exitValue(), noCert.log());
      assertTrue(noCert.log().contains("--tls-cert " + missing + ": no such file"), noCert.log());
    }
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

  /** Runs node in src/test/js, its output into target/it/{logName} and the result; killed past the timeout. */
  private static Result node(Duration timeout, Map<String, String> env, String logName, String... args) {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(List.of(args));
    Path log = OUT.resolve(logName);
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
