package io.kvdb.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.compare.report.Row;
import io.kvdb.compare.systems.ExternalStores;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv compare} from its packaged jar against the packaged kvdb jars, as a short smoke (1
 * round of 1-s runs; the second kvdb cluster, R=2, left out to keep it short): it prints the table
 * with figures for kvdb and the reference servers, etcd and Redis rows with figures or "not
 * installed", one line per target, and leaves no process and no temp dir behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompareQuickIT {
  private static final Pattern RATE = Pattern.compile("\\d[\\d,]* \\(\\d+\\.\\d\\d\\)");

  @TempDir Path tmp;

  @Test
  void quickRunPrintsTheTableAndEveryTargetAndStopsWhatItStarted() throws Exception {
    Path jar = Path.of("target", "kv-compare.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is packaged before the ITs run");
    Path json = tmp.resolve("compare.json");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString(), "--quick", "--duration", "1", "--warmup", "0.5", "--warmup-round", "0.5",
        "--only", "kvdb,kvdb-session,etcd,redis,ceiling,health-proxy,empty-grpc", "--kvdb-home", Path.of("..").toAbsolutePath()
            .normalize().toString(), "--json", json.toString(),
        "--jvm-opts=" + System.getProperty("kvdb.test.childJvmArgs", "-Xmx256m -XX:TieredStopAtLevel=1")));
    File out = tmp.resolve("out.txt").toFile();
    File err = tmp.resolve("err.txt").toFile();
    long start = System.nanoTime();
    Process compare = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    boolean exited = compare.waitFor(150, TimeUnit.SECONDS);
    if (!exited) {
      compare.destroy(); // its shutdown hook stops what it started
      compare.waitFor(30, TimeUnit.SECONDS);
    }
    String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
    String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
    System.out.printf("kv compare --quick took %.1f s%n%s", (System.nanoTime() - start) / 1e9, stdout);
    assertTrue(exited, "kv compare finished in 150 s; its stderr:\n" + stderr);
    assertEquals(0, compare.exitValue(), stderr);

    assertTrue(stdout.contains("| system | HTTP POST /set req/s (p99 ms) | HTTP GET /get req/s (p99 ms) |"), stdout);
    for (Row row : List.of(Row.KVDB, Row.KVDB_SESSION, Row.CEILING, Row.HEALTH_PROXY, Row.EMPTY_GRPC)) {
      assertTrue(RATE.matcher(line(stdout, "| " + row.label() + " |")).find(), row + " has figures:\n" + stdout);
    }
    for (Row row : List.of(Row.ETCD, Row.REDIS)) {
      String line = line(stdout, "| " + row.label() + " |");
      String program = row == Row.ETCD ? "etcd" : "redis-server";
      assertTrue(ExternalStores.installed(program).isPresent() ? RATE.matcher(line).find()
          : line.contains(ExternalStores.NOT_INSTALLED), line);
    }
    for (String target : List.of("1", "1 (R=2)", "2", "3 (put)", "3 (get)", "3 (put, Session)", "4 (/set p99)", "4 (/get p99.9)", "5",
        "6 (put)", "6 (get)", "6 (catch-up)")) {
      assertTrue(Pattern.compile("(?m)^target " + Pattern.quote(target) + ": .*(MET|NOT MET|NOT MEASURED.*)$")
          .matcher(stdout).find(), "a line for target " + target + ":\n" + stdout);
    }
    assertTrue(line(stdout, "target 1: ").endsWith("MET"), "target 1 is judged from kvdb and the ceiling");
    assertTrue(Files.readString(json).contains("\"targets\": ["), "the JSON has the verdicts");
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("kv-compare-")).toList(),
          "the temp dir (data, logs) is deleted at the end");
    }
  }

  private static String line(String text, String start) {
    return text.lines().filter(l -> l.startsWith(start)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starts with '" + start + "':\n" + text));
  }
}
