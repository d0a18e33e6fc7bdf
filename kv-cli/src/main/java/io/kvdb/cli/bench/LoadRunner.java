package io.kvdb.cli.bench;

import io.kvdb.cli.bench.Target.CallFailed;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Drives one phase of a benchmark: {@code clients} threads, each with one blocking call in flight,
 * while this thread watches: it drains the histograms about once a second (a progress line on
 * stderr), ends the warm-up and the run, and stops a run in which every call has failed for
 * {@link #GIVE_UP_AFTER}. A failed call is counted by its code and the load goes on.
 */
public final class LoadRunner {
  /** A run in which nothing succeeds for this long says nothing about speed: it stops (exit 3). */
  public static final Duration GIVE_UP_AFTER = Duration.ofSeconds(5);
  private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * @param seconds how long the measured part lasted
   * @param stopped why the run was cut short, when it was
   * @param lagMs the replication lag sampled about once a second in the measured part (ms; empty
   *     when no live follower was reported)
   */
  public record Result(double seconds, Optional<String> stopped, Histogram lagMs) {}

  private final BenchConfig config;
  private final Target target;
  private final PrintStream progress;
  private final Values values;
  /** Null for uniform draws. */
  private final ZipfianGenerator zipfian;
  private final AtomicReference<CallFailed> lastFailure = new AtomicReference<>();
  /** The next distinct key of the load workload and of the preload. */
  private final AtomicLong nextKey = new AtomicLong();
  /** Measured operations started so far, for --ops. */
  private final AtomicLong started = new AtomicLong();
  private volatile boolean measuring;
  private volatile boolean stop;
  /** Whether the lag sampler goes on: until the measured run is over. */
  private volatile boolean sampling = true;

  /**
   * @param config the workload, clients, duration, warm-up, rate and seed (its protocol, target and
   *     json are the caller's business)
   * @param progress where the progress line goes, about once a second
   */
  public LoadRunner(BenchConfig config, Target target, Values values, PrintStream progress) {
    this.config = config;
    this.target = target;
    this.values = values;
    this.progress = progress;
    this.zipfian = config.zipfian() ? new ZipfianGenerator(config.keys()) : null;
  }

  /** The key of rank or sequence number {@code n}. */
  public static String key(long n) {
    return "bench/" + n;
  }

  /** Stores keys 0..keys-1 with random values, unmeasured, for the read workloads. */
  public Result preload(OpStats stats) {
    nextKey.set(0);
    measuring = true; // nothing is timed here: the drain just counts for the progress line
    return drive(List.of(stats), Duration.ZERO, false, random -> {
      long n = nextKey.getAndIncrement();
      if (n >= config.keys()) {
        return false;
      }
      call(stats, () -> target.put(key(n), values.next(random)));
      return true;
    });
  }

  /** The measured run of the workload: warm-up, then --duration or --ops, paced to --rate if given. */
  public Result run(OpStats get, OpStats put) {
    nextKey.set(config.firstKey());
    measuring = config.warmup().isZero();
    List<OpStats> stats = config.workload() == Workload.LOAD ? List.of(put)
        : config.workload() == Workload.READ ? List.of(get) : List.of(get, put);
    Histogram lag = new SynchronizedHistogram(3);
    Thread sampler = new Thread(() -> sampleLag(lag), "bench-lag-sampler");
    sampler.setDaemon(true); // a status call in flight at the end is not waited for
    sampler.start();
    Result result = drive(stats, config.warmup(), true, random -> {
      if (measuring && config.ops().isPresent() && started.getAndIncrement() >= config.ops().getAsLong()) {
        return false;
      }
      if (config.workload() == Workload.LOAD) {
        long n = nextKey.getAndIncrement();
        call(put, () -> target.put(key(n), values.next(random)));
      } else if (random.nextInt(100) < config.workload().readPercent()) {
        String key = key(draw(random));
        call(get, () -> target.get(key));
      } else {
        String key = key(draw(random));
        call(put, () -> target.put(key, values.next(random)));
      }
      return true;
    });
    sampling = false;
    return new Result(result.seconds(), result.stopped(), lag.copy());
  }

  /** The sampler thread: the leader's view of its followers' lag, once a second while the run is measured. */
  private void sampleLag(Histogram lag) {
    while (sampling) {
      if (measuring) {
        OptionalLong lagMs = target.replicationLagMs();
        if (sampling && lagMs.isPresent()) {
          lag.recordValue(lagMs.getAsLong());
        }
      }
      LockSupport.parkNanos(TICK_NANOS);
    }
  }

  private long draw(SplittableRandom random) {
    return zipfian != null ? zipfian.next(random) : random.nextInt(config.keys());
  }

  private interface Call {
    void run() throws CallFailed;
  }

  private void call(OpStats stats, Call call) {
    long start = System.nanoTime();
    try {
      call.run();
    } catch (CallFailed e) {
      stats.failure(e.code());
      lastFailure.set(e);
      return;
    }
    stats.success(System.nanoTime() - start);
  }

  /** One step of a client thread; false when its phase has no more work. */
  private interface Step {
    boolean next(SplittableRandom random);
  }

  private Result drive(List<OpStats> stats, Duration warmup, boolean timed, Step step) {
    stop = false;
    started.set(0);
    CountDownLatch finished = new CountDownLatch(config.clients());
    SplittableRandom seeds = new SplittableRandom(config.seed());
    for (int c = 0; c < config.clients(); c++) {
      SplittableRandom random = seeds.split(); // each thread its own, all from one seed
      // The preload goes as fast as it can; the run keeps --rate, each client its share.
      Pacer pacer = timed && config.rate().isPresent()
          ? Pacer.of(config.rate().getAsDouble() / config.clients()) : null;
      Thread thread = new Thread(() -> {
        try {
          while (!stop) {
            if (pacer != null) {
              pacer.awaitTurn();
            }
            if (stop || !step.next(random)) {
              break;
            }
          }
        } finally {
          finished.countDown();
        }
      }, "bench-client-" + c);
      thread.setDaemon(true);
      thread.start();
    }
    long begin = System.nanoTime();
    long measureFrom = measuring ? begin : begin + warmup.toNanos();
    long end = endOf(measureFrom, timed);
    long nextTick = begin + TICK_NANOS;
    long failingSince = -1;
    long successesBefore = 0;
    long failuresBefore = 0;
    Optional<String> stopped = Optional.empty();
    try {
      while (!finished.await(Math.max(0, Math.min(nextTick, measuring ? end : measureFrom) - System.nanoTime()),
          TimeUnit.NANOSECONDS)) {
        long now = System.nanoTime();
        if (!measuring && now >= measureFrom) {
          stats.forEach(s -> s.drain(false)); // the warm-up's figures go
          stats.forEach(OpStats::forgetErrors);
          measureFrom = now;
          end = endOf(measureFrom, timed);
          measuring = true;
        }
        if (now >= end) {
          stop = true; // the threads finish their calls in flight, then the latch opens
          end = Long.MAX_VALUE;
        }
        if (now < nextTick) {
          continue;
        }
        long successes = stats.stream().mapToLong(OpStats::successesSinceStart).sum();
        long failures = stats.stream().mapToLong(OpStats::failuresSinceStart).sum();
        boolean allFailed = successes == successesBefore && failures > failuresBefore;
        failingSince = allFailed ? (failingSince < 0 ? nextTick - TICK_NANOS : failingSince) : -1;
        String phase = !timed ? "(storing keys, not measured) " : measuring ? "" : "(warm-up, not measured) ";
        printProgress(stats, now - begin, phase, measuring, successes - successesBefore, failures - failuresBefore);
        successesBefore = successes;
        failuresBefore = failures;
        nextTick += TICK_NANOS;
        if (failingSince >= 0 && now - failingSince >= GIVE_UP_AFTER.toNanos()) {
          stopped = Optional.of("every call failed for " + GIVE_UP_AFTER.toSeconds() + " s; the last: "
              + lastFailure.get().getMessage());
          stop = true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop = true;
      stopped = Optional.of("interrupted");
    }
    long over = System.nanoTime();
    stats.forEach(s -> s.drain(measuring));
    if (!measuring) {
      stats.forEach(OpStats::forgetErrors); // stopped within the warm-up: nothing was measured
      measureFrom = over;
    }
    return new Result((over - measureFrom) / 1e9, stopped, new Histogram(3));
  }

  /** When a phase measured from {@code measureFrom} ends by the clock; never for --ops or the preload. */
  private long endOf(long measureFrom, boolean timed) {
    return config.ops().isPresent() || !timed ? Long.MAX_VALUE : measureFrom + config.duration().toNanos();
  }

  private void printProgress(List<OpStats> stats, long elapsedNanos, String phase, boolean measured, long ok,
      long failed) {
    StringBuilder line = new StringBuilder(String.format("bench: %3d s %s", elapsedNanos / 1_000_000_000L, phase));
    line.append(String.format("%,d ok/s, %,d failed/s", ok, failed));
    for (OpStats s : stats) {
      // the interval joins the run's total only in the measured part
      Histogram interval = s.drain(measured);
      if (interval.getTotalCount() > 0) {
        line.append(String.format("; %s p50 %.2f p99 %.2f ms", s.name(), interval.getValueAtPercentile(50) / 1e6,
            interval.getValueAtPercentile(99) / 1e6));
      }
    }
    progress.println(line);
  }
}
