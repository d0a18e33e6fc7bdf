package io.kvdb.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {
  /** A clock that only moves when the pacer sleeps or the test says so. */
  private long now = 1_000;
  private final List<Long> starts = new ArrayList<>();

  private Pacer pacer(long interval) {
    return new Pacer(interval, () -> now, nanos -> now += nanos);
  }

  @Test
  void callsStartOneIntervalApartWhenTheyAreFast() {
    Pacer pacer = pacer(100);
    for (int i = 0; i < 5; i++) {
      pacer.awaitTurn();
      starts.add(now);
      now += 10; // the call takes 10 ns
    }
    assertEquals(List.of(1_000L, 1_100L, 1_200L, 1_300L, 1_400L), starts);
  }

  @Test
  void aCallLateByMoreThanAnIntervalStartsAtOnceAndDoesNotBurst() {
    Pacer pacer = pacer(100);
    pacer.awaitTurn(); // planned 1000
    now += 550; // a slow call: 4 planned starts missed
    pacer.awaitTurn();
    starts.add(now);
    pacer.awaitTurn();
    starts.add(now);
    assertEquals(List.of(1_550L, 1_650L), starts);
  }

  @Test
  void aCallLateByLessThanAnIntervalKeepsThePlan() {
    Pacer pacer = pacer(100);
    pacer.awaitTurn(); // 1000, next planned 1100
    now += 150; // 1150: late by 50
    pacer.awaitTurn();
    pacer.awaitTurn(); // planned 1200: sleeps 50
    assertEquals(1_200L, now);
  }

  @Test
  void aRateOfTenThousandPerSecondIsOneCallEveryHundredMicroseconds() {
    assertEquals(100_000L, Pacer.intervalOf(10_000));
    assertEquals(1L, Pacer.intervalOf(1e12));
    assertThrows(IllegalArgumentException.class, () -> pacer(0));
  }
}
