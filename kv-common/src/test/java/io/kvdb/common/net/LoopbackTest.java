package io.kvdb.common.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoopbackTest {
  @Test
  void loopbackAddressesAndNames() {
    for (String host : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
      assertTrue(Loopback.isLoopback(host), host);
    }
    assertTrue(new HostPort("::1", 50051).isLoopback());
  }

  @Test
  void everyInterfaceOtherAddressesAndUnknownNamesAreNot() {
    // A name under .invalid never resolves (RFC 6761), so this does not depend on the network.
    for (String host : new String[] {"0.0.0.0", "::", "10.0.0.5", "192.168.1.1", "2001:db8::1", "", " ",
        "no-such-host.invalid"}) {
      assertFalse(Loopback.isLoopback(host), "'" + host + "'");
    }
    assertFalse(new HostPort("10.0.0.5", 50051).isLoopback());
  }
}
