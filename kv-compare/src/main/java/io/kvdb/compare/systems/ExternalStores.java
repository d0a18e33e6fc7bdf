package io.kvdb.compare.systems;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * etcd and Redis from Debian's packages, as the comparison runs them: their command line and
 * config come from {@code kv-compare/conf/} (packaged in the jar), their ports and data dirs from
 * the comparison.
 */
public final class ExternalStores {
  /** What to say when a store's program is missing. */
  public static final String NOT_INSTALLED = "not installed (apt-get install etcd-server redis-server)";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private ExternalStores() {}

  /** The program's path on {@code PATH}, if it is installed. */
  public static Optional<Path> installed(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path path = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  /** Starts a single-node etcd; returns its client port (gRPC and the JSON gateway). */
  public static int etcd(Processes processes, Path etcd) {
    int client = processes.freePort();
    int peer = processes.freePort();
    List<String> command = new ArrayList<>(List.of(etcd.toString()));
    for (String line : resource("conf/etcd.args").split("\n")) {
      String arg = line.strip();
      if (!arg.isEmpty() && !arg.startsWith("#")) {
        command.add(arg.replace("${DATA}", processes.dir().resolve("etcd").toString())
            .replace("${CLIENT_PORT}", client + "").replace("${PEER_PORT}", peer + ""));
      }
    }
    processes.awaitPort(processes.start("etcd", command), client, START_TIMEOUT);
    return client;
  }

  /** Starts Redis with {@code conf/redis.conf} (append-only, fsync always); returns its port. */
  public static int redis(Processes processes, Path redisServer) {
    int port = processes.freePort();
    try {
      Path dir = Files.createDirectories(processes.dir().resolve("redis"));
      Path conf = dir.resolve("redis.conf");
      Files.writeString(conf, resource("conf/redis.conf"));
      processes.awaitPort(processes.start("redis", List.of(redisServer.toString(), conf.toString(), "--port",
          port + "", "--dir", dir.toString())), port, START_TIMEOUT);
      return port;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = ExternalStores.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the kv-compare jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
