package io.kvdb.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** ZeroMQ endpoints for every kind of host a flag accepts; the sockets are real, on the loopback. */
@Timeout(30)
class ZmqEndpointsTest {

  @Test
  void anIpv6LiteralIsPutInBrackets() {
    assertEquals("tcp://[::1]:5555", ZmqEndpoints.tcp("::1", 5555));
    assertEquals("tcp://[2001:db8::7]:5556", ZmqEndpoints.tcp("2001:db8::7", 5556));
  }

  @Test
  void namesAndIpv4AddressesAreLeftAsTheyAre() {
    assertEquals("tcp://127.0.0.1:5555", ZmqEndpoints.tcp("127.0.0.1", 5555));
    assertEquals("tcp://leader.example:5555", ZmqEndpoints.tcp("leader.example", 5555));
  }

  @Test
  void aSocketBindsToTheIpv6Loopback() {
    assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this machine");
    try (ZContext context = new ZContext()) {
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      int port = ZmqEndpoints.bind(router, "::1", 0, "test ROUTER");
      ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);
      dealer.setIPv6(true);
      dealer.connect("tcp://[::1]:" + port);

      assertTrue(dealer.send("hello"));
      router.setReceiveTimeOut(10_000);
      assertTrue(router.recv() != null, "the message arrived over IPv6");
      assertEquals("hello", router.recvStr());
    }
  }

  @Test
  void aSocketConnectsToAnIpv6Address() {
    assumeTrue(ipv6LoopbackWorks(), "no IPv6 loopback on this machine");
    try (ZContext context = new ZContext()) {
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      int port = ZmqEndpoints.bind(router, "::1", 0, "test ROUTER");
      ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);

      assertEquals("tcp://[::1]:" + port, ZmqEndpoints.connect(dealer, "::1", port));

      assertRoundTrip(dealer, router);
    }
  }

  @Test
  void aNameStillReachesAnIpv4OnlyListener() {
    try (ZContext context = new ZContext()) {
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      int port = ZmqEndpoints.bind(router, "127.0.0.1", 0, "test ROUTER");
      ZMQ.Socket dealer = context.createSocket(SocketType.DEALER);

      ZmqEndpoints.connect(dealer, "localhost", port);

      assertRoundTrip(dealer, router);
    }
  }

  private static void assertRoundTrip(ZMQ.Socket dealer, ZMQ.Socket router) {
    assertTrue(dealer.send("hello"));
    router.setReceiveTimeOut(10_000);
    assertTrue(router.recv() != null, "the message arrived");
    assertEquals("hello", router.recvStr());
  }

  /** Whether this machine has a working ::1 (some containers have IPv6 turned off). */
  static boolean ipv6LoopbackWorks() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
