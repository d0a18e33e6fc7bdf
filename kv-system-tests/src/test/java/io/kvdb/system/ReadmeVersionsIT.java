package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The curl and {@code ./kv} examples of the README's "Versions and compare-and-set", "TTL",
 * "Atomic batches" and "Watch", each section run as shown (real curl, the CLI's jar, through bash) against a
 * fresh leader with the default shards and a gateway: each command's output must be the
 * {@code # ...} lines after it (a lone {@code #} for an empty line; a watch is stopped by curl's
 * {@code -m} or {@code timeout}). Epochs and versions depend on the run: each number of 13 or more
 * digits shown is mapped, consistently, to the one the run printed there, and stands for it in
 * later commands. A {@code "ttl_remaining_ms"} counts down: the run's must be positive and at most
 * the one shown.
 */
@Timeout(240)
class ReadmeVersionsIT {
  private static final Pattern TTL_LEFT = Pattern.compile("\"ttl_remaining_ms\":(\\d+)");
  private static final Pattern BIG_NUMBER = Pattern.compile("\\d{13,}");
  private static final Pattern EXIT = Pattern.compile("\\s+\\(exit (\\d+)\\)$");
  /** A command whose output follows it: curl, the CLI, or the CLI stopped by timeout (a watch). */
  private static final Pattern COMMAND = Pattern.compile("curl |\\./kv |timeout \\d+ \\./kv ");

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"'## Versions and compare-and-set', 7", "'## TTL', 6", "'## Atomic batches', 10", "'## Watch', 5"})
  void curlAndCliExamplesAnswerAsShown(String section, int examples) throws Exception {
    List<String> lines = section(section);
    try (TestCluster cluster = new TestCluster(dir)) {
      cluster.startLeader();
      cluster.startGateway();
      String cli = Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + JavaProcess.jarOf("kv-cli")
          + " --leader 127.0.0.1:" + cluster.grpcPort;
      Map<String, String> numbers = new HashMap<>();
      int checked = 0;
      for (int i = 0; i + 1 < lines.size(); i++) {
        String command = lines.get(i);
        if (!COMMAND.matcher(command).lookingAt() || !lines.get(i + 1).startsWith("# ")) {
          continue;
        }
        List<String> shownLines = new ArrayList<>();
        for (int j = i + 1; j < lines.size() && (lines.get(j).equals("#") || lines.get(j).startsWith("# ")); j++) {
          shownLines.add(lines.get(j).length() > 2 ? lines.get(j).substring(2) : "");
        }
        String shown = String.join("\n", shownLines);
        int expectedExit = 0;
        Matcher exit = EXIT.matcher(shown);
        if (exit.find()) {
          expectedExit = Integer.parseInt(exit.group(1));
          shown = shown.substring(0, exit.start());
        }
        String run = replaceAll(command, numbers).replace("localhost:3000", "127.0.0.1:" + cluster.gatewayPort)
            .replaceFirst("^(timeout \\d+ )?\\./kv ", "$1" + cli + " ");
        Process process = new ProcessBuilder("bash", "-c", run + " 2>/dev/null").start();
        String output = ttlLeftAsShown(shown,
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command);
        assertEquals(expectedExit, process.exitValue(), command + "\n" + output);
        learn(shown, output, numbers);
        assertEquals(replaceAll(shown, numbers), output, command);
        checked++;
      }
      assertEquals(examples, checked, "every example of " + section + " was run");
    }
  }

  /** {@code output} with its time left replaced by the one {@code shown}, once checked to be in (0, shown]. */
  private static String ttlLeftAsShown(String shown, String output) {
    Matcher expected = TTL_LEFT.matcher(shown);
    Matcher actual = TTL_LEFT.matcher(output);
    if (!expected.find() || !actual.find()) {
      return output;
    }
    long left = Long.parseLong(actual.group(1));
    assertTrue(left > 0 && left <= Long.parseLong(expected.group(1)), "ttl_remaining_ms " + left + " in " + output);
    return output.substring(0, actual.start(1)) + expected.group(1) + output.substring(actual.end(1));
  }

  /** Maps the big numbers of {@code shown} to those of {@code output}, in order; each maps to one. */
  private static void learn(String shown, String output, Map<String, String> numbers) {
    Matcher from = BIG_NUMBER.matcher(shown);
    Matcher to = BIG_NUMBER.matcher(output);
    while (from.find() && to.find()) {
      String known = numbers.putIfAbsent(from.group(), to.group());
      assertEquals(known == null ? to.group() : known, to.group(), from.group() + " stands for one number of the run");
    }
  }

  private static String replaceAll(String text, Map<String, String> numbers) {
    Matcher matcher = BIG_NUMBER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(out, numbers.getOrDefault(matcher.group(), matcher.group()));
    }
    return matcher.appendTail(out).toString();
  }

  private static List<String> section(String section) throws Exception {
    Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
    List<String> lines = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
      if (line.startsWith("## ")) {
        in = line.equals(section);
      } else if (in) {
        lines.add(line);
      }
    }
    assertTrue(!lines.isEmpty(), "no section " + section);
    return lines;
  }
}
