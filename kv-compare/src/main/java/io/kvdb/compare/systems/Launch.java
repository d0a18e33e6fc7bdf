package io.kvdb.compare.systems;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the JVMs of a comparison start: this JVM's {@code java}, the flags of {@code ./kv local}
 * ({@code jvmOptions}), and the packaged jars under the repo's root ({@code home}).
 *
 * @param home the repo's root: {@code kv-leader/target/kv-leader.jar} and the others below it
 * @param jvmOptions the flags every started JVM gets
 */
public record Launch(Path home, List<String> jvmOptions) {
  /** The command that runs module {@code module}'s jar with {@code args}. */
  public List<String> jar(String module, String... args) {
    Path jar = home.resolve(module).resolve("target").resolve(module + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build the jars first (./kv build)");
    }
    List<String> command = java();
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** The command that runs {@code mainClass} from kv-compare's own jar with {@code args}. */
  public List<String> compareMain(String mainClass, String... args) {
    List<String> command = java();
    command.add("-cp");
    command.add(home.resolve("kv-compare").resolve("target").resolve("kv-compare.jar").toString());
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    return command;
  }

  /** The same, with the JVMs' heap at most {@code size} ({@code -Xmx} of the options replaced). */
  public Launch withMaxHeap(String size) {
    List<String> options = new ArrayList<>(jvmOptions.stream().filter(o -> !o.startsWith("-Xmx")).toList());
    options.add("-Xmx" + size);
    return new Launch(home, options);
  }

  private List<String> java() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    return command;
  }
}
