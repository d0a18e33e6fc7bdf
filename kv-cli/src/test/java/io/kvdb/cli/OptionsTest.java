package io.kvdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client's flags anywhere on the line, in every spelling the shared parser takes. */
class OptionsTest {
  private static Options parse(String... args) {
    return Options.parse(args, Map.of());
  }

  private static String usageError(Map<String, String> env, String... args) {
    return assertThrows(KvCli.UsageException.class, () -> Options.parse(args, env)).getMessage();
  }

  @Test
  void defaults() {
    Options options = parse("status");
    assertEquals(Options.DEFAULT_LEADER, options.leader());
    assertEquals(Optional.empty(), options.tlsCa());
    assertFalse(options.tls());
    assertEquals(Optional.empty(), options.token());
    assertFalse(options.help());
    assertEquals(List.of("status"), options.command());
  }

  @Test
  void flagsBeforeAndAfterTheCommandInEitherSpelling() {
    Options options = parse("--leader", "kv1:50051", "get", "k", "--tls-ca=ca.pem", "--token", "t0k3n-0123456789");
    assertEquals("kv1:50051", options.leader());
    assertEquals(Optional.of(Path.of("ca.pem")), options.tlsCa());
    assertEquals(Optional.of("t0k3n-0123456789"), options.token());
    assertEquals(List.of("get", "k"), options.command());
    assertEquals("[::1]:7", parse("--leader=[::1]:7", "status").leader());
  }

  @Test
  void theCommandsOwnFlagsStayWithItInOrder() {
    assertEquals(List.of("put", "k", "v", "--wait", "1"), parse("put", "k", "--tls", "v", "--wait", "1").command());
    assertEquals(List.of("list", "--prefix", "p", "--limit", "2"), parse("list", "--prefix", "p", "--limit", "2").command());
    assertEquals(List.of("put", "k", "-5"), parse("put", "k", "-5").command(), "a value that looks like a flag");
    assertEquals(List.of("put", "--tls", "v"), parse("put", "--", "--tls", "v").command(), "-- ends the client's flags");
  }

  @Test
  void tlsAloneOrWithAnyBooleanSpelling() {
    assertTrue(parse("--tls", "get", "k").tls());
    assertTrue(parse("--tls=yes", "get", "k").tls());
    assertFalse(parse("--tls=false", "get", "k").tls());
    assertFalse(parse("--tls=0", "get", "k").tls());
    assertEquals("flag --tls needs true or false (or yes/no, 1/0), got 'maybe'", usageError(Map.of(), "--tls=maybe"));
  }

  @Test
  void tokenFromTheFlagWinsOverTheEnvironment() {
    Map<String, String> env = Map.of(Options.TOKEN_ENV, "from-env-0123456789");
    assertEquals(Optional.of("from-env-0123456789"), Options.parse(new String[] {"status"}, env).token());
    assertEquals(Optional.of("from-flag-0123456789"),
        Options.parse(new String[] {"status", "--token=from-flag-0123456789"}, env).token());
    assertEquals(Optional.empty(), Options.parse(new String[] {"status"}, Map.of(Options.TOKEN_ENV, "")).token(),
        "an empty KV_TOKEN is none");
  }

  @Test
  void badTokensAndMissingValuesAreUsageErrors() {
    assertEquals("--token is empty", usageError(Map.of(), "--token", "", "get", "k"));
    assertEquals("--token is empty", usageError(Map.of(), "--token=", "get", "k"));
    assertEquals("--token must be visible ASCII characters without spaces", usageError(Map.of(), "--token", "a b"));
    assertEquals("KV_TOKEN must be visible ASCII characters without spaces",
        usageError(Map.of(Options.TOKEN_ENV, "two words"), "get", "k"));
    assertEquals("flag --token needs a value", usageError(Map.of(), "get", "k", "--token"));
    assertEquals("flag --leader needs a value", usageError(Map.of(), "--leader"));
  }

  @Test
  void helpAnywhere() {
    assertTrue(parse("--help").help());
    assertTrue(parse("put", "k", "-h").help());
    assertFalse(parse("put", "k", "-hello").help());
    assertEquals(List.of("put", "k", "-hello"), parse("put", "k", "-hello").command());
  }
}
