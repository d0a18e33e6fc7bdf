package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./kv} launcher's class-data sharing: a jar's first run leaves an archive beside it, the
 * next runs map it (the JVM's class-load log says so) and print the same, a rebuilt jar gets a new
 * archive, and {@code KV_CDS=0} makes none. The launcher runs from a copy of the tree's jars so that
 * the tree's own archives are left alone.
 */
@Timeout(240)
class KvScriptCdsIT {
  private static final List<String> MODULES = List.of("leader", "follower", "http-gateway", "cli", "compare");

  @TempDir Path dir;
  private Path root;
  private Path archive;
  private Path cliJar;

  @BeforeEach
  void copyLauncherAndJars() throws IOException {
    root = dir.resolve("kvdb");
    Path tree = JavaProcess.jarOf("kv-cli").getParent().getParent().getParent();
    for (String module : MODULES) {
      Path jar = JavaProcess.jarOf("kv-" + module);
      Path target = Files.createDirectories(root.resolve("kv-" + module).resolve("target"));
      Files.copy(jar, target.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      Files.createSymbolicLink(target.resolve("lib"), jar.resolveSibling("lib"));
    }
    Files.copy(tree.resolve("kv"), root.resolve("kv"), StandardCopyOption.COPY_ATTRIBUTES);
    cliJar = root.resolve("kv-cli/target/kv-cli.jar");
    archive = root.resolve("kv-cli/target/kv-cli.jsa");
  }

  @Test
  void firstRunWritesTheArchiveLaterRunsMapItAndARebuiltJarGetsANewOne() throws Exception {
    try (TestCluster cluster = new TestCluster(dir.resolve("cluster"), "--shards", "4")) {
      cluster.startLeader();
      String leader = "127.0.0.1:" + cluster.grpcPort;

      Result put = kv(Map.of(), "--leader", leader, "put", "greeting", "hello");
      assertEquals(0, put.exit, put.output);
      assertTrue(Files.size(archive) > 0, "the first run leaves " + archive);
      assertEquals(List.of(), temporaryArchives(), "no temporary archive is left behind");

      FileTime made = Files.getLastModifiedTime(archive);
      Path classLog = dir.resolve("class-load.log");
      Result get = kv(Map.of("KV_JAVA_OPTS", "-Xmx128m -Xlog:class+load=info:file=" + classLog),
          "--leader", leader, "get", "greeting");
      assertEquals(0, get.exit, get.output);
      assertTrue(get.output.startsWith("hello"), get.output);
      assertFalse(get.output.contains("warning"), get.output);
      assertTrue(Files.readString(classLog).contains("source: shared objects file (top)"),
          "the second run maps the archive");
      assertEquals(made, Files.getLastModifiedTime(archive), "an up-to-date archive is not written again");

      // A rebuild, as the launcher sees one: the jar is newer than its archive.
      Files.setLastModifiedTime(cliJar, FileTime.fromMillis(made.toMillis() - 60_000));
      Files.setLastModifiedTime(archive, FileTime.fromMillis(made.toMillis() - 120_000));
      Result afterRebuild = kv(Map.of(), "--leader", leader, "get", "greeting");
      assertEquals(0, afterRebuild.exit, afterRebuild.output);
      assertFalse(afterRebuild.output.contains("warning"), afterRebuild.output);
      assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(cliJar)) > 0,
          "an archive older than its jar is made again");

      Files.delete(archive);
      Result off = kv(Map.of("KV_CDS", "0"), "--leader", leader, "get", "greeting");
      assertEquals(0, off.exit, off.output);
      assertFalse(Files.exists(archive), "KV_CDS=0 makes no archive");
    }
  }

  private List<Path> temporaryArchives() throws IOException {
    try (Stream<Path> files = Files.list(archive.getParent())) {
      return files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private record Result(int exit, String output) {}

  /** Runs the copied launcher with {@code args}; its stdout and stderr together. */
  private Result kv(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("kv").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("KV_JAVA_OPTS");
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("./kv " + String.join(" ", args) + " did not finish: " + output);
    }
    return new Result(process.exitValue(), output);
  }
}
