package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.leader.LeaderClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which routes Armeria serves as unary exchanges (the answer aggregated and written in one go,
 * {@code WholeAnswers}): every route whose answer is one JSON body, and not the two that stream,
 * {@code /all} (a listing of any size, which must not be held in memory whole) and the watches.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WholeAnswersTest {
  private static final String WHOLE = "one whole answer";
  private static final String STREAMED = "a streamed answer";

  @TempDir Path dataDir;

  @Test
  void routesWithOneJsonBodyAreUnaryAndTheListingAndWatchesStream() throws Exception {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT)) {
      GatewayConfig config = GatewayConfig.forTest(leader.address());
      Map<String, String> seen = new ConcurrentHashMap<>();
      ServerBuilder sb = Server.builder().http(0);
      sb.decorator((delegate, ctx, req) -> {
        seen.put(ctx.method() + " " + ctx.path(), ctx.exchangeType().isResponseStreaming() ? STREAMED : WHOLE);
        return delegate.serve(ctx, req);
      });
      GatewayMain.configureServices(sb, config,
          LeaderClient.connect(config.leader(), config.leaderTimeout(), config.leaderTls()));
      Server server = sb.build();
      server.start().join();
      try {
        WebClient http = WebClient.of("http://127.0.0.1:" + server.activeLocalPort());
        http.execute(RequestHeaders.of(HttpMethod.POST, "/set", "content-type", MediaType.JSON),
            "{\"key\": \"k\", \"value\": \"v\"}").aggregate().join();
        http.get("/get/k").aggregate().join();
        http.execute(RequestHeaders.of(HttpMethod.POST, "/batch", "content-type", MediaType.JSON),
            "{\"ops\": [{\"op\": \"put\", \"key\": \"b\", \"value\": \"1\"}]}").aggregate().join();
        http.get("/v1/kv/k").aggregate().join();
        http.get("/v1/kv").aggregate().join();
        http.get("/cluster").aggregate().join();
        http.get("/all").aggregate().join();
        http.delete("/delete/k").aggregate().join();
        // A watch answers with a stream that stays open: its headers are enough.
        http.execute(HttpRequest.of(HttpMethod.GET, "/watch?prefix=k")).split().headers().join();

        assertEquals(Map.of(
            "POST /set", WHOLE,
            "GET /get/k", WHOLE,
            "POST /batch", WHOLE,
            "GET /v1/kv/k", WHOLE,
            "GET /v1/kv", WHOLE,
            "GET /cluster", WHOLE,
            "DELETE /delete/k", WHOLE,
            "GET /all", STREAMED,
            "GET /watch", STREAMED), seen);
      } finally {
        server.stop().join();
      }
    }
  }
}
