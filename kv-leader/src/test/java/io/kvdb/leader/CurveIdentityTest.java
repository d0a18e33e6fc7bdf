package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.core.security.AuthorizedKeys;
import io.kvdb.core.security.CurveClient;
import io.kvdb.core.security.CurveKeyPair;
import io.kvdb.core.security.CurveServer;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.Welcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * With CURVE, a key in {@code --curve-authorized-keys} as {@code ID KEY} may act only as that
 * follower: real handshakes on 127.0.0.1 against a real leader, from a context of the clients' own.
 */
@Timeout(60)
class CurveIdentityTest {
  private static final long REPLY_MS = 10_000;

  @TempDir Path dir;
  private final CurveKeyPair leaderKeys = CurveKeyPair.generate();
  private final CurveKeyPair f1Keys = CurveKeyPair.generate();
  private final CurveKeyPair unboundKeys = CurveKeyPair.generate();
  private final ZContext clients = new ZContext();
  private LeaderServer leader;

  @BeforeEach
  void start() throws Exception {
    Path authorized = Files.writeString(dir.resolve("authorized_keys"),
        "f1 " + f1Keys.publicKey() + "   # bound to follower f1\n"
            + unboundKeys.publicKey() + " old-style-name\n");
    CurveServer curve = new CurveServer(leaderKeys, AuthorizedKeys.load(authorized));
    LeaderConfig config = LeaderConfig.forTest(dir.resolve("leader")).withSecurity(GrpcSecurity.NONE, Optional.of(curve));
    leader = new LeaderServer(config, InProcessServerBuilder.forName(getClass().getName()));
    leader.start();
  }

  @AfterEach
  void stop() {
    clients.close();
    leader.stop();
  }

  private ControlPeer peer(CurveKeyPair keys, String routingId) {
    return ControlPeer.connect(clients, leader.controlPort(), routingId,
        new CurveClient(keys, leaderKeys.publicKey())::secure);
  }

  @Test
  void aKeyBoundToAnIdRegistersOnlyAsThatFollower() {
    try (ControlPeer impostor = peer(f1Keys, "f2"); ControlPeer f1 = peer(f1Keys, "f1")) {
      impostor.hello("f2");
      Welcome refused = impostor.await(ControlMessage::hasWelcome, REPLY_MS).getWelcome();
      assertFalse(refused.getAccepted(), "f1's key registered as f2");
      assertTrue(refused.getReason().contains("authorized for follower id(s) [f1]")
          && refused.getReason().contains("not for 'f2'"), "the follower learns why: " + refused.getReason());
      impostor.catchUp(0, 0, 0);
      CatchUpReply catchUp = impostor.await(ControlMessage::hasCatchUpReply, REPLY_MS).getCatchUpReply();
      assertEquals(CatchUpReply.Outcome.OUTCOME_REFUSED, catchUp.getOutcome(), catchUp.toString());

      f1.hello("f1");
      ControlMessage welcome = f1.await(ControlMessage::hasWelcome, REPLY_MS);
      assertNotNull(welcome, "the key's own follower got no welcome");
      assertTrue(welcome.getWelcome().getAccepted(), welcome.toString());
      assertNotNull(f1.await(m -> m.hasAssignment() && m.getAssignment().getShardsCount() > 0, REPLY_MS),
          "f1 was given no shard");
    }
  }

  @Test
  void aKeyListedWithoutAnIdStillRegistersUnderAnyId() {
    try (ControlPeer anyone = peer(unboundKeys, "whoever")) {
      anyone.hello("whoever");
      ControlMessage welcome = anyone.await(ControlMessage::hasWelcome, REPLY_MS);
      assertNotNull(welcome, "no welcome for the unbound key");
      assertTrue(welcome.getWelcome().getAccepted(), "a key alone keeps today's meaning: " + welcome);
    }
  }
}
