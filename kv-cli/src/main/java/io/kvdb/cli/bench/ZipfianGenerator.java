package io.kvdb.cli.bench;

import java.util.SplittableRandom;

/**
 * Ranks 0..n-1 drawn with a Zipfian distribution: rank 0 is the most frequent, rank i about
 * 1/(i+1)^theta as often. The algorithm of Gray et al., "Quickly Generating Billion-Record Synthetic
 * Databases" (SIGMOD 1994), as YCSB uses it, with YCSB's theta of 0.99. Immutable: each caller
 * brings its own random source, so client threads share one generator without contention.
 */
final class ZipfianGenerator {
  /** YCSB's default skew: a few keys take most requests. */
  static final double THETA = 0.99;

  private final long items;
  private final double theta;
  private final double zetaN;
  private final double alpha;
  private final double eta;
  /** 1 + 0.5^theta: below it (times zetaN) a draw is rank 1. */
  private final double rankOneBound;

  ZipfianGenerator(long items) {
    this(items, THETA);
  }

  ZipfianGenerator(long items, double theta) {
    if (items < 1) {
      throw new IllegalArgumentException("a Zipfian distribution needs at least one item, got " + items);
    }
    if (!(theta > 0 && theta < 1)) {
      throw new IllegalArgumentException("theta must be in (0, 1), got " + theta);
    }
    this.items = items;
    this.theta = theta;
    this.zetaN = zeta(items, theta);
    this.alpha = 1 / (1 - theta);
    double zeta2 = zeta(2, theta);
    this.eta = (1 - Math.pow(2.0 / items, 1 - theta)) / (1 - zeta2 / zetaN);
    this.rankOneBound = 1 + Math.pow(0.5, theta);
  }

  /** A rank in [0, items). */
  long next(SplittableRandom random) {
    double u = random.nextDouble();
    double uz = u * zetaN;
    if (uz < 1) {
      return 0;
    }
    if (uz < rankOneBound && items > 1) {
      return 1;
    }
    long rank = (long) (items * Math.pow(eta * u - eta + 1, alpha));
    return Math.min(rank, items - 1); // rounding at u close to 1
  }

  long items() {
    return items;
  }

  double theta() {
    return theta;
  }

  /** sum of 1/i^theta for i in 1..n: one pass at start, about 10 ms per million items. */
  private static double zeta(long n, double theta) {
    double sum = 0;
    for (long i = 1; i <= n; i++) {
      sum += 1 / Math.pow(i, theta);
    }
    return sum;
  }
}
