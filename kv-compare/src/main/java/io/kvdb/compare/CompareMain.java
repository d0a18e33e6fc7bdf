package io.kvdb.compare;

import io.kvdb.common.process.ExitCodes;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code kv compare}: starts kvdb (the {@code ./kv local} topology, then again with R=2), etcd,
 * Redis and the reference servers on 127.0.0.1, loads each with kv bench's engine in interleaved
 * rounds, and prints the table and one verdict per target ({@link Comparison}).
 */
public final class CompareMain {
  private CompareMain() {}

  public static void main(String[] args) {
    Optional<CompareConfig> config;
    try {
      config = CompareConfig.parse(args, defaultHome());
    } catch (IllegalArgumentException e) {
      System.err.println("kv compare: " + e.getMessage());
      System.exit(ExitCodes.BAD_INPUT);
      return;
    }
    if (config.isEmpty()) {
      System.out.println(CompareConfig.flags().usage());
      return;
    }
    System.exit(new Comparison(config.get(), System.out, System.err).run());
  }

  /** The repo's root when this runs from {@code kv-compare/target/kv-compare.jar} (or its classes dir). */
  private static Path defaultHome() {
    try {
      Path here = Path.of(CompareMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return here.getParent().getParent().getParent(); // <home>/kv-compare/target/<jar or classes>
    } catch (URISyntaxException | NullPointerException e) {
      return Path.of(".");
    }
  }
}
