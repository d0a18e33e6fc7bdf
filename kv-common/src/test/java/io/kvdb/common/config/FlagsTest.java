package io.kvdb.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {
  private static Flags flags() {
    return new Flags("kv test")
        .declare("port", "50051", "a port")
        .declare("size", "1m", "a size")
        .declare("peers", "", "comma-separated peers")
        .declareBoolean("verbose", "talk more");
  }

  private static Flags parsed(String... args) {
    Flags flags = flags();
    assertTrue(flags.parse(args));
    return flags;
  }

  @Test
  void undeclaredValuesFallBackToDefaults() {
    Flags flags = parsed();
    assertEquals(50051, flags.integer("port"));
    assertEquals(1L << 20, flags.longValue("size"));
    assertFalse(flags.bool("verbose"));
    assertFalse(flags.isGiven("port"));
    assertEquals(List.of(), flags.list("peers"));
  }

  @Test
  void valueMayFollowAsNextArgumentOrAfterEquals() {
    assertEquals(7, parsed("--port", "7").integer("port"));
    assertEquals(8, parsed("--port=8").integer("port"));
    assertTrue(parsed("--port=8").isGiven("port"));
  }

  @Test
  void booleanFlagAloneMeansTrue() {
    assertTrue(parsed("--verbose").bool("verbose"));
    assertFalse(parsed("--verbose=false").bool("verbose"));
  }

  @Test
  void sizesTakeBinarySuffixes() {
    assertEquals(512, parsed("--size", "512").longValue("size"));
    assertEquals(64L << 10, parsed("--size", "64k").longValue("size"));
    assertEquals(3L << 20, parsed("--size", "3M").longValue("size"));
    assertEquals(2L << 30, parsed("--size", "2g").longValue("size"));
  }

  @Test
  void listSplitsOnCommasAndTrims() {
    assertEquals(List.of("a:1", "b:2"), parsed("--peers", " a:1, ,b:2 ").list("peers"));
  }

  @Test
  void unknownFlagIsNamedInTheError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags().parse(new String[] {"--prot", "1"}));
    assertEquals("unknown flag --prot (see --help)", e.getMessage());
  }

  @Test
  void flagWithoutItsValueIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags().parse(new String[] {"--port"}));
    assertEquals("flag --port needs a value", e.getMessage());
  }

  @Test
  void bareArgumentIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags().parse(new String[] {"port"}));
    assertTrue(e.getMessage().contains("unexpected argument 'port'"), e.getMessage());
  }

  @Test
  void nonNumberIsAnErrorNamingTheFlag() {
    Flags flags = parsed("--port", "fifty");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.integer("port"));
    assertEquals("flag --port needs a number, got 'fifty'", e.getMessage());
  }

  @Test
  void numberTooLargeForAnIntIsAnErrorNotAWrappedValue() {
    // 2^32 + 64 must not quietly become 64.
    Flags flags = parsed("--port", "4294967360");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.integer("port"));
    assertTrue(e.getMessage().contains("--port"), e.getMessage());
    Flags gig = parsed("--size", "3g");
    assertThrows(IllegalArgumentException.class, () -> gig.integer("size"));
    assertEquals(3L << 30, gig.longValue("size"));
  }

  @Test
  void sizeOverflowingALongIsAnErrorNamingTheFlag() {
    Flags flags = parsed("--size", "99999999999g");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.longValue("size"));
    assertTrue(e.getMessage().contains("--size"), e.getMessage());
  }

  @Test
  void booleanAcceptsOnlyTrueOrFalse() {
    Flags flags = parsed("--verbose=yes");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.bool("verbose"));
    assertEquals("flag --verbose is true or false, got 'yes'", e.getMessage());
  }

  @Test
  void helpPrintsEveryFlagWithItsDefaultAndStopsParsing() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    boolean proceed;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      proceed = flags().parse(new String[] {"--port", "1", "--help", "--unknown"});
    } finally {
      System.setOut(original);
    }
    assertFalse(proceed);
    String usage = captured.toString(StandardCharsets.UTF_8);
    assertTrue(usage.startsWith("usage: kv test [flags]"), usage);
    assertTrue(usage.contains("--port VALUE") && usage.contains("a port (default: 50051)"), usage);
    assertTrue(usage.contains("--verbose") && usage.contains("talk more"), usage);
    assertFalse(usage.contains("--verbose VALUE"), "a boolean takes no value: " + usage);
    assertTrue(usage.contains("--peers VALUE") && !usage.contains("(default: )"), usage);
  }

  @Test
  void undeclaredNameIsAProgrammingError() {
    assertThrows(IllegalStateException.class, () -> flags().string("nope"));
  }
}
