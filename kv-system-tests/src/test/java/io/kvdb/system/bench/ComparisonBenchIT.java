package io.kvdb.system.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.testing.FreePorts;
import io.kvdb.testing.JavaProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts then gets of the same keys against kvdb, Redis and etcd on this machine, from the same
 * client threads in this JVM, in rounds (so that machine noise hits every store alike); prints the
 * median throughput and latencies per store. A benchmark, not a test: tagged "bench", run with
 * {@code mvn -B verify -Pbench -pl kv-system-tests -am -Dit.test=ComparisonBenchIT}. Redis and etcd
 * are skipped when their Debian packages (redis-server, etcd-server) are not installed.
 */
@Tag("bench")
@Timeout(1800)
class ComparisonBenchIT {
  private static final int OPS = Integer.getInteger("kvdb.bench.ops", 20_000);
  private static final int CLIENTS = Integer.getInteger("kvdb.bench.clients", 32);
  private static final int VALUE_BYTES = Integer.getInteger("kvdb.bench.valueBytes", 100);
  private static final int ROUNDS = Integer.getInteger("kvdb.bench.rounds", 3);

  @TempDir Path dir;
  private final List<Process> others = new ArrayList<>();
  private final List<JavaProcess> ours = new ArrayList<>();

  private record Result(double putsPerSecond, double putP50, double putP99, double getsPerSecond, double getP50,
      double getP99) {}

  @Test
  void compareKvdbRedisAndEtcd() throws Exception {
    Map<String, KvTarget> targets = new LinkedHashMap<>();
    try {
      targets.put("kvdb durability=sync (fsync per batch)", GrpcTargets.kvdb(kvdbLeader("sync")));
      targets.put("kvdb durability=async", GrpcTargets.kvdb(kvdbLeader("async")));
      if (installed("redis-server")) {
        targets.put("redis appendfsync=always", new RedisTarget(redis("always")));
        targets.put("redis appendfsync=everysec", new RedisTarget(redis("everysec")));
      }
      if (installed("etcd")) {
        targets.put("etcd (fsync per batch)", GrpcTargets.etcd(etcd()));
      }
      Map<String, List<Result>> results = new LinkedHashMap<>();
      for (int round = 0; round < ROUNDS; round++) {
        for (Map.Entry<String, KvTarget> target : targets.entrySet()) {
          results.computeIfAbsent(target.getKey(), k -> new ArrayList<>()).add(run(target.getValue(), round));
        }
      }
      print(results);
      assertEquals(ROUNDS, results.values().iterator().next().size());
    } finally {
      for (KvTarget target : targets.values()) {
        target.close();
      }
      ours.forEach(JavaProcess::close);
      for (Process process : others) {
        process.destroy();
        process.waitFor();
      }
    }
  }

  private Result run(KvTarget target, int round) throws Exception {
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'x');
    String prefix = "bench/" + round + "/";
    long[] puts = phase(target, (client, n) -> client.put(prefix + n, value));
    long[] gets = phase(target, (client, n) -> client.get(prefix + n));
    return new Result(rate(puts), percentile(puts, 0.5), percentile(puts, 0.99), rate(gets), percentile(gets, 0.5),
        percentile(gets, 0.99));
  }

  private interface Op {
    void call(KvTarget client, int n) throws Exception;
  }

  /** Runs OPS operations from CLIENTS threads; returns the latencies (ns) plus the wall time last. */
  private static long[] phase(KvTarget shared, Op op) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Exception> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    long[] latencies = new long[OPS + 1];
    List<Thread> threads = new ArrayList<>();
    List<KvTarget> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      KvTarget client = shared.forThread();
      clients.add(client);
      threads.add(new Thread(() -> {
        int n;
        while ((n = next.getAndIncrement()) < OPS) {
          long start = System.nanoTime();
          try {
            op.call(client, n);
          } catch (Exception e) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
          latencies[n] = System.nanoTime() - start;
        }
      }));
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    latencies[OPS] = System.nanoTime() - start;
    for (KvTarget client : clients) {
      if (client != shared) {
        client.close();
      }
    }
    assertEquals(0, failures.get(), () -> "every operation succeeded; the first failure: " + firstFailure.get());
    return latencies;
  }

  private static double rate(long[] latencies) {
    return OPS / (latencies[OPS] / 1e9);
  }

  private static double percentile(long[] latencies, double p) {
    long[] sorted = Arrays.copyOf(latencies, OPS);
    Arrays.sort(sorted);
    return sorted[(int) Math.min(OPS - 1, OPS * p)] / 1e6;
  }

  private static void print(Map<String, List<Result>> results) {
    System.out.printf("%n%d puts then %d gets, %d client threads, %d-byte values, median of %d rounds%n", OPS, OPS,
        CLIENTS, VALUE_BYTES, ROUNDS);
    System.out.printf("%-40s %12s %9s %9s %12s %9s %9s%n", "store", "puts/s", "p50 ms", "p99 ms", "gets/s", "p50 ms",
        "p99 ms");
    results.forEach((name, rounds) -> System.out.printf("%-40s %12.0f %9.2f %9.2f %12.0f %9.2f %9.2f%n", name,
        median(rounds, Result::putsPerSecond), median(rounds, Result::putP50), median(rounds, Result::putP99),
        median(rounds, Result::getsPerSecond), median(rounds, Result::getP50), median(rounds, Result::getP99)));
  }

  private static double median(List<Result> rounds, java.util.function.ToDoubleFunction<Result> field) {
    double[] values = rounds.stream().mapToDouble(field).sorted().toArray();
    return values[values.length / 2];
  }

  private int kvdbLeader(String durability) {
    int grpc = FreePorts.next();
    JavaProcess leader = JavaProcess.start("kvdb-" + durability, JavaProcess.jarOf("kv-leader"), dir.resolve("logs"),
        "--host", "127.0.0.1", "--grpc-port", Integer.toString(grpc), "--pub-port", Integer.toString(FreePorts.next()),
        "--control-port", Integer.toString(FreePorts.next()), "--metrics-port", Integer.toString(FreePorts.next()),
        "--data-dir", dir.resolve("kvdb-" + durability).toString(), "--durability", durability);
    ours.add(leader);
    leader.awaitPort(grpc, Duration.ofSeconds(60));
    return grpc;
  }

  private int redis(String appendfsync) throws Exception {
    int port = FreePorts.next();
    Path data = Files.createDirectories(dir.resolve("redis-" + appendfsync));
    start(data, "redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", data.toString(),
        "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync);
    awaitPort(port);
    return port;
  }

  private int etcd() throws Exception {
    int client = FreePorts.next();
    int peer = FreePorts.next();
    Path data = dir.resolve("etcd");
    start(Files.createDirectories(dir.resolve("etcd-logs")), "etcd", "--data-dir", data.toString(),
        "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
        "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
        "--initial-cluster", "default=http://127.0.0.1:" + peer);
    awaitPort(client);
    return client;
  }

  private void start(Path logDir, String... command) throws IOException {
    others.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logDir.resolve("server.log").toFile()).start());
  }

  private static void awaitPort(int port) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nothing listens on port " + port);
  }

  private static boolean installed(String program) {
    for (String path : System.getenv("PATH").split(":")) {
      if (Files.isExecutable(Path.of(path, program))) {
        return true;
      }
    }
    System.out.println(program + " is not installed: skipped (apt-get install redis-server etcd-server)");
    return false;
  }
}
