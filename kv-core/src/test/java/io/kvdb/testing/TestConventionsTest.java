package io.kvdb.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The build hands the test JVM what the conventions promise; run through Maven, not an IDE. */
class TestConventionsTest {
  @Test
  void childJvmFlagsComeFromTheParentPom() {
    String flags = System.getProperty("kvdb.test.childJvmArgs");
    assertNotNull(flags, "surefire did not pass kvdb.test.childJvmArgs (set in the parent pom)");
    List<String> tokens = List.of(flags.trim().split("\\s+"));
    for (String expected : List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")) {
      assertTrue(tokens.contains(expected), expected + " missing from " + tokens);
    }
  }
}
