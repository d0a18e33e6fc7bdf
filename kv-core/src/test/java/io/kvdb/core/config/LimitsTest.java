package io.kvdb.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LimitsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    Limits d = Limits.DEFAULT;
    assertEquals(1024, d.maxKeyBytes());
    assertEquals(1 << 20, d.maxValueBytes());
    assertEquals((1 << 20) + (64 << 10), d.maxMessageBytes());
    assertEquals(100, d.defaultPageSize());
    assertEquals(1000, d.maxPageSize());
  }

  @Test
  void defaultMessageLimitFitsTheLargestKeyAndValue() {
    Limits d = Limits.DEFAULT;
    assertTrue(d.maxMessageBytes() > d.maxKeyBytes() + d.maxValueBytes() + 64, "a maximal Put must fit one message");
  }

  @Test
  void invalidLimitsAreRefusedWithTheirName() {
    assertRefused("max key bytes must be > 0: 0", () -> new Limits(0, 10, 100, 1, 1));
    assertRefused("max value bytes must be >= 0: -1", () -> new Limits(10, -1, 100, 1, 1));
    assertRefused("max message bytes must exceed the max key bytes: 10", () -> new Limits(10, 10, 10, 1, 1));
    assertRefused("default page size must be in 1..max page size (5): 6", () -> new Limits(10, 10, 100, 6, 5));
    assertRefused("default page size must be in 1..max page size (5): 0", () -> new Limits(10, 10, 100, 0, 5));
  }

  @Test
  void emptyValuesMayBeTheOnlyOnesAllowed() {
    assertEquals(0, new Limits(10, 0, 100, 1, 1).maxValueBytes());
  }

  private static void assertRefused(String message, Executable construct) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construct);
    assertEquals(message, e.getMessage());
  }
}
