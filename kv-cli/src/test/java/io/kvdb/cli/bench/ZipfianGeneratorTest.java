package io.kvdb.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfianGeneratorTest {
  private static final int DRAWS = 200_000;

  @Test
  void rankZeroIsTheMostFrequentAndFrequencyFallsWithRank() {
    ZipfianGenerator zipf = new ZipfianGenerator(1000);
    long[] counts = new long[1000];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < DRAWS; i++) {
      long rank = zipf.next(random);
      assertTrue(rank >= 0 && rank < 1000, "rank in bounds: " + rank);
      counts[(int) rank]++;
    }
    for (int rank = 1; rank < counts.length; rank++) {
      assertTrue(counts[0] > counts[rank], "rank 0 beats rank " + rank + ": " + counts[0] + " vs " + counts[rank]);
    }
    assertTrue(counts[0] > counts[1] && counts[1] > counts[10] && counts[10] > counts[100] && counts[100] > counts[999],
        "falling: " + counts[0] + ", " + counts[1] + ", " + counts[10] + ", " + counts[100] + ", " + counts[999]);
    // P(rank 0) = 1 / zeta(1000, 0.99), about 0.133; P(rank 1) = P(0) / 2^0.99
    double zeta = 0;
    for (int i = 1; i <= 1000; i++) {
      zeta += 1 / Math.pow(i, ZipfianGenerator.THETA);
    }
    assertEquals(1 / zeta, counts[0] / (double) DRAWS, 0.1 / zeta, "share of rank 0");
    assertEquals(1 / zeta / Math.pow(2, ZipfianGenerator.THETA), counts[1] / (double) DRAWS, 0.1 / zeta,
        "share of rank 1");
  }

  @Test
  void hugeKeySpacesStayInBounds() {
    ZipfianGenerator zipf = new ZipfianGenerator(2_000_000);
    SplittableRandom random = new SplittableRandom(1);
    long highest = 0;
    for (int i = 0; i < DRAWS; i++) {
      long rank = zipf.next(random);
      assertTrue(rank >= 0 && rank < 2_000_000, "rank in bounds: " + rank);
      highest = Math.max(highest, rank);
    }
    assertTrue(highest > 100_000, "the tail is reached: " + highest);
  }

  @Test
  void oneItemAlwaysDrawsRankZeroAndBadArgumentsAreRefused() {
    ZipfianGenerator one = new ZipfianGenerator(1);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, one.next(random));
    }
    assertThrows(IllegalArgumentException.class, () -> new ZipfianGenerator(0));
    assertThrows(IllegalArgumentException.class, () -> new ZipfianGenerator(10, 1.0));
  }
}
