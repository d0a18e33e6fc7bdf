package io.kvdb.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kv bench}: a bounded load of puts, then gets, from C concurrent clients over one channel;
 * prints throughput and latency percentiles. Keys are {@code bench/<n>}, values random-free bytes
 * of the given size.
 */
final class Bench {
  private final ManagedChannel channel;
  private final PrintStream out;

  Bench(ManagedChannel channel, PrintStream out) {
    this.channel = channel;
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
    phase("put", total, clients, n -> KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .put(PutRequest.newBuilder().setKey("bench/" + n).setValue(value).build()));
    phase("get", total, clients, n -> KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .get(GetRequest.newBuilder().setKey("bench/" + n).build()));
    return 0;
  }

  private interface Op {
    void call(int n);
  }

  private void phase(String name, int ops, int clients, Op op) {
    AtomicInteger next = new AtomicInteger();
    long[] latencies = new long[ops];
    Thread[] threads = new Thread[clients];
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      threads[c] = new Thread(() -> {
        int n;
        while ((n = next.getAndIncrement()) < ops) {
          long t0 = System.nanoTime();
          op.call(n);
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
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    out.printf("%s: %d ops in %.2f s = %.0f ops/s; latency ms p50 %.2f p99 %.2f max %.2f (%d clients)%n", name, ops,
        seconds, ops / seconds, latencies[ops / 2] / 1e6, latencies[(int) (ops * 0.99)] / 1e6,
        latencies[ops - 1] / 1e6, clients);
  }
}
