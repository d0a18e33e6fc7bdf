package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void eachWaitLiesBetweenHalfAndAllOfADoublingCeilingUpToTheCap() {
    for (long seed = 0; seed < 200; seed++) {
      Backoff backoff = new Backoff(250, 10_000, new SplittableRandom(seed));
      long ceiling = 250;
      long previous = 0;
      for (int attempt = 0; attempt < 12; attempt++) {
        long wait = backoff.next();
        assertTrue(wait >= ceiling / 2 && wait <= ceiling, "seed " + seed + ": " + wait + " ms under " + ceiling);
        if (ceiling < 10_000) {
          assertTrue(wait >= previous, "below the cap a wait is never shorter than the one before");
        }
        previous = wait;
        ceiling = Math.min(10_000, ceiling * 2);
      }
    }
  }

  @Test
  void failuresAtTheSameMomentAreRetriedSpreadOut() {
    Set<Long> firstWaits = new HashSet<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int shard = 0; shard < 64; shard++) {
      firstWaits.add(new Backoff(250, 10_000, random.split()).next());
    }
    assertTrue(firstWaits.size() > 32, "64 shards failing together draw many different waits: " + firstWaits);
  }

  @Test
  void aSuccessStartsOverFromTheShortestWait() {
    Backoff backoff = new Backoff(250, 10_000, new SplittableRandom(1));
    long sixth = 0;
    for (int i = 0; i < 6; i++) {
      sixth = backoff.next();
    }
    assertTrue(sixth >= 4_000, "the sixth failure waits under a ceiling of 8 s: " + sixth);

    backoff.reset();

    long afterReset = backoff.next();
    assertTrue(afterReset <= 250, "back to the first ceiling: " + afterReset);
  }
}
