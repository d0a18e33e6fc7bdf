package io.kvdb.cli.bench;

import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvdb.common.net.HostPort;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  @Test
  void theLoadWorkloadWritesDistinctKeysCountedFromTheFirstKey() {
    assertEquals(keys(0, 100), putsOf(load(100)));
    // After a store of 1,000 keys, --first-key 1000 adds new ones rather than overwriting them.
    assertEquals(keys(1_000, 1_100), putsOf(load(100).withFirstKey(1_000)));
  }

  private static BenchConfig load(long ops) {
    return new BenchConfig(Workload.LOAD, false, 10, 8, 4, Duration.ofSeconds(30), OptionalLong.of(ops),
        Duration.ZERO, OptionalDouble.empty(), BenchConfig.Protocol.GRPC, HostPort.parse("--target", "127.0.0.1:1"), 1);
  }

  private static Set<String> putsOf(BenchConfig config) {
    KeysPut target = new KeysPut();
    new LoadRunner(config, target, new Values(config.valueBytes(), false), QUIET)
        .run(new OpStats("get"), new OpStats("put"));
    return target.keys;
  }

  private static Set<String> keys(long from, long to) {
    return LongStream.range(from, to).mapToObj(LoadRunner::key).collect(toSet());
  }

  /** A server that keeps the keys it was sent and answers every call at once. */
  private static final class KeysPut implements Target {
    final Set<String> keys = ConcurrentHashMap.newKeySet();

    @Override
    public void put(String key, byte[] value) {
      keys.add(key);
    }

    @Override
    public void get(String key) {}

    @Override
    public OptionalLong replicationLagMs() {
      return OptionalLong.empty();
    }

    @Override
    public String describe() {
      return "keys put";
    }

    @Override
    public void close() {}
  }
}
