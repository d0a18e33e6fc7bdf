package io.kvdb.cli;

import io.kvdb.common.process.ExitCodes;
import com.google.protobuf.ByteString;
import io.kvdb.client.KvClient;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code kv bench}: a bounded load of puts, then gets, from C concurrent threads sharing one client;
 * prints throughput and latency percentiles. Keys are {@code bench/<n>}, values random-free bytes
 * of the given size.
 */
final class Bench {
  private final KvClient leader;
  private final PrintStream out;

  Bench(KvClient leader, PrintStream out) {
    this.leader = leader;
    this.out = out;
  }

  int run(List<String> operands) {
    int ops = 20_000;
    int clients = 32;
    int valueBytes = 100;
    for (int i = 0; i < operands.size(); i++) {
      String flag = operands.get(i);
      if (i + 1 >= operands.size()) {
        throw new KvCli.UsageException(flag + " needs a value");
      }
      int value = Commands.number(operands.get(++i), flag);
      switch (flag) {
        case "--ops" -> ops = value;
        case "--clients" -> clients = value;
        case "--value-bytes" -> valueBytes = value;
        default -> throw new KvCli.UsageException("bench [--ops N] [--clients C] [--value-bytes B]");
      }
    }
    if (ops <= 0 || clients <= 0 || valueBytes < 0) {
      throw new KvCli.UsageException("bench needs positive --ops and --clients");
    }
    ByteString value = ByteString.copyFrom(new byte[valueBytes]);
    int total = ops;
    phase("put", total, clients, n -> leader.put("bench/" + n, value));
    phase("get", total, clients, n -> leader.get("bench/" + n));
    return ExitCodes.OK;
  }

  private interface Op {
    void call(int n);
  }

  private void phase(String name, int ops, int clients, Op op) {
    AtomicInteger next = new AtomicInteger();
    // The first failure stops every thread and is the command's answer (exit 3), not a figure.
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    long[] latencies = new long[ops];
    Thread[] threads = new Thread[clients];
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      threads[c] = new Thread(() -> {
        int n;
        while (failure.get() == null && (n = next.getAndIncrement()) < ops) {
          long t0 = System.nanoTime();
          try {
            op.call(n);
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            return;
          }
          latencies[n] = System.nanoTime() - t0;
        }
      }, "bench-" + c);
      threads[c].start();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    out.printf("%s: %d ops in %.2f s = %.0f ops/s; latency ms p50 %.2f p99 %.2f max %.2f (%d clients)%n", name, ops,
        seconds, ops / seconds, latencies[ops / 2] / 1e6, latencies[(int) (ops * 0.99)] / 1e6,
        latencies[ops - 1] / 1e6, clients);
  }
}
