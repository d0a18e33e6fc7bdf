package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.process.Supervisor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Real CURVE handshakes over TCP on 127.0.0.1, shaped as replication uses them: a PUB and a ROUTER
 * secured by {@link CurveServer} with a {@link ZapHandler}, and clients in a context of their own
 * (as a follower process would be). Each refusal is checked next to an authorized client that gets
 * through in the same window, so "nothing arrived" cannot come from a publisher that never sent.
 */
@Timeout(60)
class CurveSocketsTest {
  private static final Supervisor SUPERVISOR = new Supervisor("curve test", status -> {});
  private final CurveKeyPair leaderKeys = CurveKeyPair.generate();
  private final CurveKeyPair followerKeys = CurveKeyPair.generate();
  private final CurveKeyPair strangerKeys = CurveKeyPair.generate();
  private final CurveServer server = new CurveServer(leaderKeys, AuthorizedKeys.of(List.of(followerKeys.publicKey())));
  private ZContext leaderContext;
  private ZContext clientContext;
  private ZapHandler zap;

  @BeforeEach
  void startLeaderSide() {
    leaderContext = new ZContext();
    clientContext = new ZContext();
    zap = server.startAuthentication(leaderContext, SUPERVISOR);
  }

  @AfterEach
  void stop() {
    clientContext.close();
    zap.close();
    leaderContext.close();
  }

  @Test
  void onlyTheAuthorizedSubscriberReceivesEvents() {
    ZMQ.Socket pub = leaderContext.createSocket(SocketType.PUB);
    server.secure(pub);
    int port = pub.bindToRandomPort("tcp://127.0.0.1");
    ZMQ.Socket authorized = subscriber(port, new CurveClient(followerKeys, leaderKeys.publicKey())::secure);
    ZMQ.Socket stranger = subscriber(port, new CurveClient(strangerKeys, leaderKeys.publicKey())::secure);
    ZMQ.Socket plaintext = subscriber(port, socket -> {});
    // The right follower key, but a leader key that is not this leader's: the client must not talk to it.
    ZMQ.Socket wrongLeader = subscriber(port,
        new CurveClient(followerKeys, CurveKeyPair.generate().publicKey())::secure);

    byte[] received = null;
    for (int i = 0; i < 100 && received == null; i++) { // slow joiner: publish until the handshake is done
      pub.send("event " + i);
      received = authorized.recv();
    }
    assertNotNull(received, "the authorized subscriber got no event within 100 tries");
    for (int i = 0; i < 10; i++) {
      pub.send("more " + i);
    }
    assertNotNull(authorized.recv(), "the authorized subscriber keeps receiving");
    assertNull(stranger.recv(), "a subscriber with a key not in the authorized keys received an event");
    assertNull(plaintext.recv(), "a subscriber without CURVE received an event");
    assertNull(wrongLeader.recv(), "a subscriber that expects another leader key received an event");
    assertTrue(zap.refused() >= 1, "the ZAP handler saw the stranger's key");
    assertTrue(zap.accepted() >= 1, "the ZAP handler let the follower in");
  }

  @Test
  void onlyTheAuthorizedDealerReachesTheControlSocket() {
    ZMQ.Socket router = leaderContext.createSocket(SocketType.ROUTER);
    server.secure(router);
    router.setReceiveTimeOut(3_000);
    int port = router.bindToRandomPort("tcp://127.0.0.1");
    ZMQ.Socket stranger = dealer("stranger", port, new CurveClient(strangerKeys, leaderKeys.publicKey())::secure);
    ZMQ.Socket plaintext = dealer("plain", port, socket -> {});
    stranger.send("hello from stranger");
    plaintext.send("hello from plain");
    ZMQ.Socket follower = dealer("f1", port, new CurveClient(followerKeys, leaderKeys.publicKey())::secure);
    follower.send("hello from f1");

    byte[] identity = router.recv();
    assertNotNull(identity, "the authorized dealer's hello never arrived");
    assertEquals("f1", new String(identity, StandardCharsets.UTF_8));
    assertEquals("hello from f1", router.recvStr());
    router.sendMore("f1");
    router.send("welcome");
    assertEquals("welcome", follower.recvStr(), "the reply reaches the authorized dealer");

    router.setReceiveTimeOut(1_500);
    assertNull(router.recv(), "a dealer that is not authorized got a message through");
  }

  @Test
  void keysAddedToTheFileAreAcceptedWithoutRestart(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("authorized_keys");
    Files.writeString(file, "# followers\nsomeone-else " + strangerKeys.publicKey() + "\n");
    AtomicLong clock = new AtomicLong();
    AuthorizedKeys keys = AuthorizedKeys.load(file, clock::get);
    assertFalse(keys.allows(followerKeys.publicKeyBytes()));
    Files.writeString(file, "f1 " + followerKeys.publicKey() + "\n", StandardOpenOption.APPEND);
    // The file is re-checked at most once a second; make sure its time stamp moved too.
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    clock.addAndGet(1_000);
    assertTrue(keys.allows(followerKeys.publicKeyBytes()), "a key added to the file is accepted");
    assertTrue(keys.allows(strangerKeys.publicKeyBytes()));
  }

  @Test
  void aRefusedClientGetsInWhenItsKeyIsAddedAndItReconnects(@TempDir Path dir) throws Exception {
    // ZeroMQ drops a session refused by ZAP and does not retry it: the follower reconnects itself.
    Path file = Files.writeString(dir.resolve("authorized_keys"), "f1 " + followerKeys.publicKey() + "\n");
    AtomicLong clock = new AtomicLong();
    ZContext context = new ZContext();
    try {
      CurveServer fromFile = new CurveServer(leaderKeys, AuthorizedKeys.load(file, clock::get));
      ZapHandler handler = fromFile.startAuthentication(context, SUPERVISOR);
      ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
      fromFile.secure(router);
      router.setReceiveTimeOut(1_500);
      int port = router.bindToRandomPort("tcp://127.0.0.1");
      ZMQ.Socket stranger = clientContext.createSocket(SocketType.DEALER);
      new CurveClient(strangerKeys, leaderKeys.publicKey()).secure(stranger);
      stranger.setIdentity("stranger".getBytes(StandardCharsets.UTF_8));
      // Under load a ZeroMQ greeting now and then stalls; as in the follower, a short handshake
      // timeout makes ZeroMQ drop such a connection and try again instead of waiting 30 s.
      stranger.setHandshakeIvl(1_000);
      HandshakeMonitor monitor = HandshakeMonitor.watch(stranger, "test leader", "authorize it");
      stranger.connect("tcp://127.0.0.1:" + port);
      stranger.send("refused hello");
      assertNull(router.recv(), "a key not authorized got through");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (monitor.failingSinceMs() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling a condition, bounded by the deadline
      }
      assertTrue(monitor.failingSinceMs() != 0, "the monitor saw the refusal");

      Files.writeString(file, "stranger " + strangerKeys.publicKey() + "\n", StandardOpenOption.APPEND);
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
      clock.addAndGet(1_000); // the file is re-checked at most once a second
      assertNull(router.recv(), "ZeroMQ retried a refused session on its own; the follower's retry is not needed");
      monitor.retrying();
      stranger.disconnect("tcp://127.0.0.1:" + port);
      stranger.connect("tcp://127.0.0.1:" + port);
      stranger.send("second hello");
      router.setReceiveTimeOut(5_000);
      assertEquals("stranger", router.recvStr(), "after reconnecting, the newly authorized key gets in");
      assertEquals("second hello", router.recvStr());
      assertEquals(0, monitor.failingSinceMs());
      monitor.close();
      stranger.close();
      router.close();
      handler.close();
    } finally {
      context.close();
    }
  }

  private ZMQ.Socket subscriber(int port, Consumer<ZMQ.Socket> secure) {
    ZMQ.Socket sub = clientContext.createSocket(SocketType.SUB);
    secure.accept(sub);
    sub.setReceiveTimeOut(100);
    sub.setHandshakeIvl(1_000); // see the note on stalled greetings below
    sub.subscribe(new byte[0]);
    sub.connect("tcp://127.0.0.1:" + port);
    return sub;
  }

  private ZMQ.Socket dealer(String id, int port, Consumer<ZMQ.Socket> secure) {
    ZMQ.Socket dealer = clientContext.createSocket(SocketType.DEALER);
    secure.accept(dealer);
    dealer.setIdentity(id.getBytes(StandardCharsets.UTF_8));
    dealer.setReceiveTimeOut(3_000);
    dealer.setHandshakeIvl(1_000);
    dealer.connect("tcp://127.0.0.1:" + port);
    return dealer;
  }
}
