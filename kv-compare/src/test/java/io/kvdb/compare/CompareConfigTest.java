package io.kvdb.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.compare.report.Row;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompareConfigTest {
  private static CompareConfig parse(String... args) {
    return CompareConfig.parse(args, Path.of("/repo")).orElseThrow();
  }

  @Test
  void quickIsOneShortRoundUnlessAFlagSaysOtherwise() {
    CompareConfig full = parse();
    assertEquals(3, full.rounds());
    assertEquals(Duration.ofSeconds(10), full.duration());
    assertEquals(List.of(Row.values()), full.rows());
    CompareConfig quick = parse("--quick");
    assertEquals(1, quick.rounds());
    assertEquals(Duration.ofSeconds(3), quick.duration());
    assertEquals(Duration.ofSeconds(1), quick.warmup());
    assertEquals(Duration.ofMillis(1500), parse("--quick", "--duration", "1.5").duration());
  }

  @Test
  void anUnmeasuredWarmUpRoundComesFirstUnlessQuick() {
    assertEquals(Duration.ofSeconds(10), parse().warmupRound());
    assertEquals(Duration.ZERO, parse("--quick").warmupRound());
    assertEquals(Duration.ofSeconds(5), parse("--quick", "--warmup-round", "5").warmupRound());
    assertEquals(Duration.ZERO, parse("--warmup-round", "0").warmupRound());
    assertThrows(IllegalArgumentException.class, () -> parse("--warmup-round", "-1"));
  }

  @Test
  void targetFivesRunIsMadeUnlessQuickOrLeftOut() {
    assertTrue(parse().lagRun());
    assertFalse(parse("--quick").lagRun());
    assertFalse(parse("--no-lag-run").lagRun());
  }

  @Test
  void scaleIsOffByDefaultAndStoresAMillionKeys() {
    assertEquals(Optional.empty(), parse().scaleKeys());
    assertEquals(Optional.of(1_000_000), parse("--scale").scaleKeys());
    assertEquals(Optional.of(50_000), parse("--scale", "--scale-keys", "50000").scaleKeys());
    assertThrows(IllegalArgumentException.class, () -> parse("--scale", "--scale-keys", "10000"));
  }

  @Test
  void onlyKeepsTheTableOrderAndRejectsUnknownSystems() {
    assertEquals(List.of(Row.KVDB, Row.CEILING), parse("--only", "ceiling,kvdb").rows());
    String message = assertThrows(IllegalArgumentException.class, () -> parse("--only", "mysql")).getMessage();
    assertTrue(message.contains("kvdb,kvdb-session,kvdb-r2,etcd"), message);
    assertThrows(IllegalArgumentException.class, () -> parse("--rounds", "0"));
  }
}
