package io.kvdb.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every spelling the processes accept, and every mistake, with the message an operator sees. */
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

  /** A program with operands, as the CLI: its flags anywhere, everything else in order. */
  private static Flags command(String... args) {
    Flags flags = new Flags("kv").declare("leader", "127.0.0.1:50051", "the leader").declare("token", "", "a token")
        .declareBoolean("tls", "TLS").operandsWithTheirFlags("COMMAND [ARGS]");
    assertTrue(flags.parse(args));
    return flags;
  }

  private static String error(Flags flags, String... args) {
    return assertThrows(IllegalArgumentException.class, () -> flags.parse(args)).getMessage();
  }

  @Test
  void undeclaredValuesFallBackToDefaults() {
    Flags flags = parsed();
    assertEquals(50051, flags.integer("port"));
    assertEquals(1L << 20, flags.longValue("size"));
    assertFalse(flags.bool("verbose"));
    assertFalse(flags.isGiven("port"));
    assertEquals(List.of(), flags.list("peers"));
    assertEquals(List.of(), flags.operands());
  }

  @Test
  void valueMayFollowAsNextArgumentOrAfterEquals() {
    assertEquals(7, parsed("--port", "7").integer("port"));
    assertEquals(8, parsed("--port=8").integer("port"));
    assertTrue(parsed("--port=8").isGiven("port"));
    assertEquals("a=b", parsed("--peers=a=b").string("peers"), "only the first '=' splits");
    assertEquals("", parsed("--peers", "").string("peers"));
    assertEquals("", parsed("--peers=").string("peers"));
    assertEquals(-1, parsed("--port", "-1").integer("port"), "a negative number is a value, not a flag");
  }

  @Test
  void secondsAllowFractionsAndNameTheFlagWhenNoNumber() {
    assertEquals(Duration.ofMillis(1500), parsed("--port", "1.5").seconds("port"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parsed("--port", "soon").seconds("port"));
    assertEquals("--port needs a number of seconds, got 'soon'", e.getMessage());
  }

  @Test
  void theLastOfARepeatedFlagWins() {
    assertEquals(2, parsed("--port", "1", "--port=2").integer("port"));
  }

  @Test
  void booleanFlagAloneMeansTrue() {
    Flags flags = parsed("--verbose");
    assertTrue(flags.bool("verbose"));
    assertTrue(flags.isGiven("verbose"));
    assertEquals("true", flags.string("verbose"));
  }

  @ParameterizedTest
  @CsvSource({"true,true", "TRUE,true", "yes,true", "Yes,true", "1,true", "false,false", "False,false", "no,false",
      "NO,false", "0,false"})
  void booleanTakesEverySpellingAfterEquals(String spelled, boolean meant) {
    assertEquals(meant, parsed("--verbose=" + spelled).bool("verbose"));
    assertEquals(Boolean.toString(meant), parsed("--verbose=" + spelled).string("verbose"));
  }

  @Test
  void booleanFollowedByTrueOrFalseTakesIt() {
    assertFalse(parsed("--verbose", "false").bool("verbose"));
    assertTrue(parsed("--verbose", "true", "--port", "1").bool("verbose"));
  }

  @Test
  void booleanDoesNotSwallowAnOperand() {
    Flags flags = command("--tls", "get", "key");
    assertTrue(flags.bool("tls"));
    assertEquals(List.of("get", "key"), flags.operands());
  }

  @Test
  void badBooleanNamesTheFlagAndTheSpellings() {
    assertEquals("flag --verbose needs true or false (or yes/no, 1/0), got 'maybe'", error(flags(), "--verbose=maybe"));
    assertEquals("unexpected argument 'maybe' (flags start with --; see --help)", error(flags(), "--verbose", "maybe"));
  }

  @Test
  void boolOfAValueFlagTakesTheSameSpellings() {
    Flags flags = new Flags("t").declare("sync", "yes", "s");
    assertTrue(flags.parse(new String[0]));
    assertTrue(flags.bool("sync"));
    assertTrue(flags.parse(new String[] {"--sync", "0"}));
    assertFalse(flags.bool("sync"));
    assertTrue(flags.parse(new String[] {"--sync", "sometimes"}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.bool("sync"));
    assertEquals("flag --sync needs true or false (or yes/no, 1/0), got 'sometimes'", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"512,512", "64k,65536", "64K,65536", "3m,3145728", "3M,3145728", "2g,2147483648", "2G,2147483648",
      "' 7 ',7", "-1,-1"})
  void sizesTakeBinarySuffixes(String spelled, long meant) {
    assertEquals(meant, parsed("--size", spelled).longValue("size"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"fifty", "", "k", "1.5m", "1t", "0x10", "1 m"})
  void nonNumberIsAnErrorNamingTheFlag(String value) {
    Flags flags = parsed("--size", value);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.longValue("size"));
    assertEquals("flag --size needs a number, got '" + value + "'", e.getMessage());
  }

  @Test
  void numberTooLargeForAnIntIsAnErrorNotAWrappedValue() {
    // 2^32 + 64 must not quietly become 64.
    Flags flags = parsed("--port", "4294967360");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.integer("port"));
    assertEquals("flag --port is too large: 4294967360", e.getMessage());
    Flags gig = parsed("--size", "3g");
    assertThrows(IllegalArgumentException.class, () -> gig.integer("size"));
    assertEquals(3L << 30, gig.longValue("size"));
    assertEquals(1 << 30, parsed("--size", "1g").integer("size"));
  }

  @Test
  void sizeOverflowingALongIsAnErrorNamingTheFlag() {
    Flags flags = parsed("--size", "99999999999g");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags.longValue("size"));
    assertEquals("flag --size is too large: 99999999999g", e.getMessage());
  }

  @Test
  void listSplitsOnCommasAndTrims() {
    assertEquals(List.of("a:1", "b:2"), parsed("--peers", " a:1, ,b:2 ").list("peers"));
  }

  @Test
  void unknownFlagIsNamedInTheError() {
    assertEquals("unknown flag --prot (see --help)", error(flags(), "--prot", "1"));
    assertEquals("unknown flag --prot (see --help)", error(flags(), "--port", "1", "--prot=1"));
    assertEquals("unknown flag -p (see --help)", error(flags(), "-p", "1"));
    assertEquals("unknown flag --por (see --help)", error(flags(), "--por", "1"), "no abbreviations");
  }

  @Test
  void flagWithoutItsValueIsAnError() {
    assertEquals("flag --port needs a value", error(flags(), "--port"));
    assertEquals("flag --port needs a value", error(flags(), "--port", "--verbose"));
  }

  @Test
  void bareArgumentIsAnErrorForAProgramWithoutOperands() {
    assertEquals("unexpected argument 'port' (flags start with --; see --help)", error(flags(), "port"));
    assertEquals("unexpected argument 'x' (flags start with --; see --help)", error(flags(), "--", "x"));
  }

  @Test
  void anArgumentFileIsNotExpanded() {
    assertEquals("unexpected argument '@flags.txt' (flags start with --; see --help)", error(flags(), "@flags.txt"));
  }

  @Test
  void helpStopsParsingAndWinsOverMistakes() {
    assertFalse(flags().parse(new String[] {"--port", "1", "--help", "--unknown"}));
    assertFalse(flags().parse(new String[] {"stray", "-h"}));
    assertFalse(new Flags("kv").operands("ARGS").parse(new String[] {"put", "k", "-h"}));
  }

  @Test
  void usageListsEveryFlagWithItsDefault() {
    String usage = flags().usage();
    assertTrue(usage.startsWith("usage: kv test [flags]\n\nflags:\n"), usage);
    assertTrue(usage.contains("  --port VALUE                 a port (default: 50051)\n"), usage);
    assertTrue(usage.contains("  --verbose                    talk more\n"), "a boolean takes no VALUE: " + usage);
    assertTrue(usage.contains("  --peers VALUE                comma-separated peers\n"), "no empty default: " + usage);
    assertTrue(new Flags("kv").operands("COMMAND [ARGS]").usage().startsWith("usage: kv [flags] COMMAND [ARGS]\n"));
  }

  @Test
  void operandsKeepTheirOrderAroundTheProgramsFlags() {
    Flags flags = command("put", "k", "--leader", "h:1", "v", "--wait", "1", "--token=t");
    assertEquals(List.of("put", "k", "v", "--wait", "1"), flags.operands(), "a command's own flags are operands");
    assertEquals("h:1", flags.string("leader"));
    assertEquals("t", flags.string("token"));
  }

  @Test
  void operandsMayLookLikeFlags() {
    assertEquals(List.of("put", "k", "-hello"), command("put", "k", "-hello").operands());
    assertEquals(List.of("put", "k", "-5"), command("put", "k", "-5").operands());
    assertEquals(List.of("put", "k", "-"), command("put", "k", "-").operands());
    assertEquals(List.of("put", "k", "@v"), command("put", "k", "@v").operands());
    assertEquals(List.of("put", "--leader", "-h"), command("put", "--", "--leader", "-h").operands(),
        "after --, nothing is a flag");
  }

  @Test
  void operandsWithoutFlagsOfTheirOwnRefuseUnknownFlags() {
    Flags flags = new Flags("kv keygen").operands("DIR [NAME...]");
    assertTrue(flags.parse(new String[] {"keys", "leader", "f1", "-5"}));
    assertEquals(List.of("keys", "leader", "f1", "-5"), flags.operands());
    assertEquals("unknown flag --force (see --help)", error(flags, "keys", "--force"));
    assertTrue(flags.parse(new String[] {"--", "--odd-dir"}));
    assertEquals(List.of("--odd-dir"), flags.operands());
  }

  @Test
  void aProgramsOwnFlagStillNeedsItsValueAmongOperands() {
    Flags flags = new Flags("kv").declare("token", "", "t").operandsWithTheirFlags("ARGS");
    assertEquals("flag --token needs a value", error(flags, "get", "k", "--token"));
  }

  @Test
  void undeclaredNameIsAProgrammingError() {
    assertThrows(IllegalStateException.class, () -> flags().string("nope"));
    assertThrows(IllegalStateException.class, () -> flags().isGiven("nope"));
    assertThrows(IllegalStateException.class, () -> flags().declare("port", "1", "again"));
    assertThrows(IllegalStateException.class, () -> flags().declareBoolean("help", "taken by --help"));
  }

  @Test
  void parsingAgainForgetsTheFirstLine() {
    Flags flags = flags();
    assertTrue(flags.parse(new String[] {"--port", "1"}));
    assertTrue(flags.parse(new String[0]));
    assertFalse(flags.isGiven("port"));
    assertEquals(50051, flags.integer("port"));
  }
}
