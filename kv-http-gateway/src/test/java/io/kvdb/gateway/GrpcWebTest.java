package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser clients call {@code kv.v1.KV} through the gateway over gRPC-Web (binary and text), with
 * the leader's statuses; with {@code --cors-origins} a page of a listed origin may send the
 * gRPC-Web headers and read the status trailers.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GrpcWebTest {
  private static final String ORIGIN = "http://app.test:8080";
  @TempDir Path dataDir;

  @Test
  void kvCallsOverGrpcWebReachTheLeaderAndKeepItsStatuses() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      for (var format : List.of(GrpcSerializationFormats.PROTO_WEB, GrpcSerializationFormats.PROTO_WEB_TEXT)) {
        KVGrpc.KVBlockingStub kv = GrpcClients.builder("http://127.0.0.1:" + gateway.port())
            .serializationFormat(format).build(KVGrpc.KVBlockingStub.class);
        String key = "web/" + format.uriText();

        kv.put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("from a browser")).build());

        assertEquals("from a browser", leader.kv().get(GetRequest.newBuilder().setKey(key).build())
            .getValue().toStringUtf8());
        assertEquals("from a browser", kv.get(GetRequest.newBuilder().setKey(key).build()).getValue().toStringUtf8());
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
            () -> kv.get(GetRequest.newBuilder().setKey("web/absent").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode(), format.uriText());
      }
    }
  }

  @Test
  void aBrowsersGrpcWebRequestAsFetchSendsIt() {
    try (InProcessLeader leader = InProcessLeader.start(dataDir, Limits.DEFAULT);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address())
            .withCorsOrigins(List.of(ORIGIN)))) {
      leader.kv().put(PutRequest.newBuilder().setKey("fetched").setValue(ByteString.copyFromUtf8("v")).build());
      byte[] message = GetRequest.newBuilder().setKey("fetched").build().toByteArray();
      byte[] frame = new byte[5 + message.length]; // flag 0, 4-byte length, message: the gRPC-Web data frame
      frame[4] = (byte) message.length;
      System.arraycopy(message, 0, frame, 5, message.length);

      Reply preflight = gateway.send(HttpRequest.newBuilder(gateway.uri("/kv.v1.KV/Get"))
          .method("OPTIONS", BodyPublishers.noBody())
          .header("Origin", ORIGIN)
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "content-type,x-grpc-web,x-user-agent,grpc-timeout"));
      Reply call = gateway.send(HttpRequest.newBuilder(gateway.uri("/kv.v1.KV/Get"))
          .header("Origin", ORIGIN)
          .header("Content-Type", "application/grpc-web-text")
          .header("X-Grpc-Web", "1")
          .POST(BodyPublishers.ofString(Base64.getEncoder().encodeToString(frame))));

      assertEquals(ORIGIN, preflight.headers().firstValue("access-control-allow-origin").orElse(null),
          preflight.headers().toString());
      String allowed = preflight.headers().firstValue("access-control-allow-headers").orElse("");
      assertTrue(allowed.contains("x-grpc-web") && allowed.contains("x-user-agent") && allowed.contains("grpc-timeout"),
          allowed);
      assertEquals(200, call.status(), call.body());
      assertEquals(ORIGIN, call.headers().firstValue("access-control-allow-origin").orElse(null));
      String exposed = call.headers().firstValue("access-control-expose-headers").orElse("");
      assertTrue(exposed.contains("grpc-status") && exposed.contains("grpc-message"), exposed);
      // grpc-web-text: each frame (the reply, then the trailers) base64 on its own, padded, one after the other.
      StringBuilder decoded = new StringBuilder();
      Matcher chunk = Pattern.compile("[^=]+=*").matcher(call.body().strip());
      while (chunk.find()) {
        decoded.append(new String(Base64.getDecoder().decode(chunk.group()), StandardCharsets.ISO_8859_1));
      }
      assertTrue(decoded.indexOf("fetched") >= 0, decoded.toString());
      assertTrue(Pattern.compile("grpc-status: ?0\r\n").matcher(decoded).find(), "OK in the trailer frame: " + decoded);
    }
  }
}
