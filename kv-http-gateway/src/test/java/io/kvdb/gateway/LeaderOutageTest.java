package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gateway without its leader: it starts, keeps /health up, answers 503, and recovers by itself. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaderOutageTest {
  @TempDir Path dataDir;

  @Test
  void startsWithoutTheLeaderAnswers503AndRecoversWhenItComes() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT)) {
      leader.stop(); // its port is now known and closed
      try (GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
        assertEquals(200, gateway.get("/health").status());
        assertEquals(200, gateway.get("/").status(), "the page is served without the leader");
        for (Reply reply : List.of(gateway.set("k", "v"), gateway.get("/get/k"), gateway.delete("/delete/k"),
            gateway.get("/all"), gateway.get("/all?limit=5"), gateway.get("/cluster"))) {
          assertLeaderUnreachable(reply, leader);
        }

        leader.restart();

        Reply reply = awaitNot503(() -> gateway.get("/get/k"));
        assertEquals(404, reply.status(), reply.body());
        assertEquals(200, gateway.set("k", "back").status());
        assertEquals("back", gateway.get("/get/k").json().get("value").asText());
      }
    }
  }

  @Test
  void aLeaderThatGoesAwayAndComesBackIsUsedAgain() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      assertEquals(200, gateway.set("kept", "1").status());

      leader.stop();
      assertLeaderUnreachable(gateway.get("/get/kept"), leader);
      assertLeaderUnreachable(gateway.get("/cluster"), leader);
      assertEquals(200, gateway.get("/health").status());

      leader.restart();
      Reply reply = awaitNot503(() -> gateway.get("/get/kept"));
      assertEquals(200, reply.status(), reply.body());
      assertEquals("1", reply.json().get("value").asText());
    }
  }

  /**
   * The listing is larger than the socket buffers, so the gateway waits for the client before it
   * asks the leader for more; the leader goes away meanwhile. The client must see a broken
   * response, not a short array that looks complete.
   */
  @Test
  void aLeaderLostInTheMiddleOfAStreamedListingBreaksTheResponse() throws IOException {
    Limits smallPages = new Limits(1024, 1 << 20, (1 << 20) + (64 << 10), 7, 7);
    try (InProcessLeader leader = InProcessLeader.start(dataDir, smallPages);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      ByteString value = ByteString.copyFromUtf8("v".repeat(4096));
      for (int i = 0; i < 1500; i++) {
        leader.kv().put(PutRequest.newBuilder().setKey(String.format("stream/%05d", i)).setValue(value).build());
      }

      var response = gateway.stream("/all");
      assertEquals(200, response.statusCode());
      try (InputStream body = response.body()) {
        assertEquals('[', body.read());
        leader.stop();
        assertThrows(IOException.class, () -> body.readAllBytes());
      }
    }
  }

  private static void assertLeaderUnreachable(Reply reply, InProcessLeader leader) {
    assertEquals(503, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    assertTrue(reply.error().startsWith("leader unreachable at 127.0.0.1:" + leader.port()), reply.body());
  }

  /** Repeats {@code call} while it answers 503 (the leader still starting), a bounded number of times. */
  private static Reply awaitNot503(Supplier<Reply> call) {
    Reply reply = call.get();
    for (int attempt = 0; attempt < 200 && reply.status() == 503; attempt++) {
      sleep(50);
      reply = call.get();
    }
    return reply;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
