package io.kvdb.system;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.client.KvClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded write load with its history: worker threads each own a disjoint set of keys and write
 * them one at a time (puts and deletes), so the last acknowledged outcome of a key is well defined.
 * A write that failed or timed out is unknown: either outcome is allowed until the next ack.
 */
final class Load {
  private final Writer writer;
  private final String prefix;
  private final int workers;
  private final int keysPerWorker;
  private final Map<String, Expected> history = new ConcurrentHashMap<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private boolean everyKeyFirst;

  /** What a key may hold: its last acknowledged value (null: absent), or an unknown write's outcome. */
  private static final class Expected {
    String value;
    final Set<String> alsoAllowed = new HashSet<>();

    void acknowledged(String newValue) {
      value = newValue;
      alsoAllowed.clear();
    }

    boolean allows(String actual) {
      return java.util.Objects.equals(actual, value) || alsoAllowed.contains(actual == null ? ABSENT : actual);
    }
  }

  private static final String ABSENT = "\u0000absent";

  /** The outcome of a check against the leader. */
  record Verdict(long checked, long lost, long resurrected, List<String> examples) {}

  /**
   * How the load writes one key. Returning normally is an acknowledgement; any exception leaves the
   * outcome unknown.
   */
  interface Writer {
    void put(String key, String value) throws Exception;

    /** Deletes {@code key}; false when the answer was "not found" (an answer: the key is absent). */
    boolean delete(String key) throws Exception;
  }

  /** A load through the leader's gRPC API, with the Java client (which never retries a write). */
  Load(KvClient kv, String prefix, int workers, int keysPerWorker) {
    this(grpc(kv), prefix, workers, keysPerWorker);
  }

  Load(Writer writer, String prefix, int workers, int keysPerWorker) {
    this.writer = writer;
    this.prefix = prefix;
    this.workers = workers;
    this.keysPerWorker = keysPerWorker;
  }

  /** Each worker first puts each of its keys once, in order, then goes on at random: a known number of keys. */
  Load everyKeyFirst() {
    everyKeyFirst = true;
    return this;
  }

  /** Writes {@code opsPerWorker} operations per worker and returns when all are done. */
  Load run(int opsPerWorker) {
    start(opsPerWorker);
    return awaitDone(TimeUnit.MINUTES.toMillis(5));
  }

  /** Starts the workers; each stops after {@code opsPerWorker} operations or at {@link #stop()}. */
  Load start(int opsPerWorker) {
    for (int w = 0; w < workers; w++) {
      int worker = w;
      Thread thread = new Thread(() -> work(worker, opsPerWorker), "load-" + w);
      threads.add(thread);
      thread.start();
    }
    return this;
  }

  Load stop() {
    stop.set(true);
    return awaitDone(TimeUnit.MINUTES.toMillis(2));
  }

  Load awaitDone(long timeoutMs) {
    for (Thread thread : threads) {
      try {
        thread.join(timeoutMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return this;
  }

  private void work(int worker, int ops) {
    Random random = new Random(worker * 7919L + prefix.hashCode());
    for (int i = 0; i < ops && !stop.get(); i++) {
      boolean filling = everyKeyFirst && i < keysPerWorker;
      String key = prefix + "/" + worker + "/" + (filling ? i : random.nextInt(keysPerWorker));
      Expected expected = history.computeIfAbsent(key, k -> new Expected());
      boolean delete = !filling && random.nextInt(5) == 0;
      String value = delete ? null : "v" + i + "-" + random.nextInt(1_000_000);
      try {
        if (delete) {
          writer.delete(key); // found or not, the key is now absent
        } else {
          writer.put(key, value);
        }
        expected.acknowledged(value);
        acknowledged.incrementAndGet();
      } catch (Exception e) {
        expected.alsoAllowed.add(value == null ? ABSENT : value);
        failed.incrementAndGet();
        TestCluster.sleep(50); // the leader may be down: do not spin
      }
    }
  }

  private static Writer grpc(KvClient kv) {
    return new Writer() {
      @Override
      public void put(String key, String value) {
        kv.put(key, ByteString.copyFromUtf8(value));
      }

      @Override
      public boolean delete(String key) {
        return kv.delete(key).isPresent();
      }
    };
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long failed() {
    return failed.get();
  }

  int keysTouched() {
    return history.size();
  }

  /**
   * Reads every key of this load from the leader (List pages of the load's prefix, so that tens of
   * thousands of keys take seconds) and compares each with its history.
   */
  Verdict verify(KvClient leader) {
    Map<String, String> stored = new HashMap<>();
    leader.list(ListRequest.newBuilder().setPrefix(prefix + "/").setLimit(1000).build())
        .forEach(item -> stored.put(item.getKey(), item.getValue().toStringUtf8()));
    long lost = 0;
    long resurrected = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, Expected> entry : history.entrySet()) {
      String actual = stored.get(entry.getKey());
      Expected expected = entry.getValue();
      if (!expected.allows(actual)) {
        if (expected.value == null) {
          resurrected++;
        } else {
          lost++;
        }
        if (examples.size() < 5) {
          examples.add(entry.getKey() + ": expected " + expected.value + " (or " + expected.alsoAllowed + "), found " + actual);
        }
      }
    }
    return new Verdict(history.size(), lost, resurrected, examples);
  }
}
