package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --cors-origins: listed origins may call the API from their pages; others, and CORS off, may not. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CorsTest {
  static final String ALLOWED = "http://app.example.test:8080";

  @TempDir Path dataDir;

  private static Reply preflight(GatewayUnderTest gateway, String path, String origin, String method) {
    return gateway.send(HttpRequest.newBuilder(gateway.uri(path))
        .method("OPTIONS", BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", "content-type"));
  }

  private static Optional<String> allowOrigin(Reply reply) {
    return reply.headers().firstValue("access-control-allow-origin");
  }

  @Test
  void listedOriginsMayCallTheApi() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(
            GatewayConfig.forTest(leader.address()).withCorsOrigins(List.of(ALLOWED, "http://localhost:3000")))) {
      Reply set = preflight(gateway, "/set", ALLOWED, "POST");
      assertEquals(200, set.status(), set.body());
      assertEquals(Optional.of(ALLOWED), allowOrigin(set));
      assertTrue(set.headers().firstValue("access-control-allow-methods").orElse("").contains("POST"));
      assertTrue(set.headers().firstValue("access-control-allow-headers").orElse("").contains("content-type"));

      Reply delete = preflight(gateway, "/delete/" + GatewayUnderTest.encode("a b"), ALLOWED, "DELETE");
      assertEquals(Optional.of(ALLOWED), allowOrigin(delete));
      Reply put = preflight(gateway, "/v1/kv/" + GatewayUnderTest.encode("a b"), ALLOWED, "PUT");
      assertEquals(Optional.of(ALLOWED), allowOrigin(put));
      assertTrue(put.headers().firstValue("access-control-allow-methods").orElse("").contains("PUT"), "the /v1 writes");

      Reply get = gateway.send(HttpRequest.newBuilder(gateway.uri("/get/none")).header("Origin", ALLOWED));
      assertEquals(404, get.status());
      assertEquals(Optional.of(ALLOWED), allowOrigin(get), "errors are readable cross-origin too");

      Reply other = gateway.send(HttpRequest.newBuilder(gateway.uri("/cluster")).header("Origin", "http://evil.test"));
      assertEquals(Optional.empty(), allowOrigin(other));
      assertEquals(Optional.empty(), allowOrigin(preflight(gateway, "/set", "http://evil.test", "POST")));
    }
  }

  @Test
  void withoutTheFlagCorsIsOff() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      Reply get = gateway.send(HttpRequest.newBuilder(gateway.uri("/cluster")).header("Origin", ALLOWED));

      assertEquals(200, get.status());
      assertEquals(Optional.empty(), allowOrigin(get));
      assertEquals(Optional.empty(), allowOrigin(preflight(gateway, "/set", ALLOWED, "POST")));
    }
  }
}
