package io.kvdb.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {
  private static String refusal(String text) {
    return assertThrows(IllegalArgumentException.class, () -> HostPort.parse("--leader", text)).getMessage();
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1:50051,127.0.0.1,50051", "kv1.example:1,kv1.example,1", "[::1]:6000,::1,6000",
      "[fe80::1%eth0]:65535,fe80::1%eth0,65535", "' localhost:3000 ',localhost,3000"})
  void parsesHostAndPort(String text, String host, int port) {
    assertEquals(new HostPort(host, port), HostPort.parse("--leader", text));
  }

  @Test
  void printsAsItParsesWithIpv6InBrackets() {
    assertEquals("[::1]:6000", HostPort.parse("x", "[::1]:6000").toString());
    assertEquals("kv1:50051", new HostPort("kv1", 50051).toString());
    HostPort v6 = new HostPort("2001:db8::7", 443);
    assertEquals(v6, HostPort.parse("x", v6.toString()));
  }

  @Test
  void aMissingPortIsRefused() {
    assertEquals("--leader must be HOST:PORT, got 'localhost'", refusal("localhost"));
    assertEquals("--leader must be HOST:PORT, got 'localhost:'", refusal("localhost:"));
    assertEquals("--leader must be HOST:PORT, got ':50051'", refusal(":50051"));
    assertEquals("--leader must be HOST:PORT, got ''", refusal(""));
    assertEquals("--leader must be HOST:PORT, got '[::1]'", refusal("[::1]"));
  }

  @Test
  void aBadPortIsRefused() {
    assertEquals("--leader: the port is not a number in 'localhost:http'", refusal("localhost:http"));
    assertEquals("--leader: the port must be in 1..65535, got 'localhost:0'", refusal("localhost:0"));
    assertEquals("--leader: the port must be in 1..65535, got 'localhost:65536'", refusal("localhost:65536"));
    assertEquals("--leader: the port must be in 1..65535, got 'localhost:-1'", refusal("localhost:-1"));
  }

  @Test
  void ipv6WithoutBracketsIsRefusedWithTheSpellingToUse() {
    assertEquals("--leader: write an IPv6 host in brackets, e.g. [::1]:50051; got '::1:50051'", refusal("::1:50051"));
    assertEquals("--leader: the host is empty in '[]:1'", refusal("[]:1"));
  }

  @Test
  void aHostAloneForFlagsWhosePortsAreFlagsOfTheirOwn() {
    assertEquals("kv1", HostPort.parseHost("--leader", " kv1 "));
    assertEquals("10.0.0.5", HostPort.parseHost("--leader", "10.0.0.5"));
    assertEquals("::1", HostPort.parseHost("--leader", "::1"));
    assertEquals("::1", HostPort.parseHost("--leader", "[::1]"));
    for (String withPort : new String[] {"kv1:5555", "[::1]:5555", "[::1", "[]"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> HostPort.parseHost("--leader", withPort));
      assertEquals("--leader is a host alone, without a port; got '" + withPort + "'", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> HostPort.parseHost("--leader", " "));
  }

  @Test
  void theRecordChecksItsParts() {
    assertThrows(IllegalArgumentException.class, () -> new HostPort(" ", 1));
    assertThrows(IllegalArgumentException.class, () -> new HostPort("h", 0));
  }
}
