package io.kvdb.gateway;

import static io.kvdb.gateway.GatewayUnderTest.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.HttpHeaderNames;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.common.security.BearerHeader;
import io.kvdb.core.config.Limits;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.gateway.leader.LeaderClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of a real leader that requires bearer tokens (a read and a write token): the
 * caller's bearer token reaches the leader on every call, through the gateway's one client, the leader's refusals become
 * 401 / 403 JSON, and a refused request changes nothing stored (checked with the leader's shard
 * digests and the full listing, before and after).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GatewayTokenTest {
  static final String READER = "reader-token-0123456789";
  static final String WRITER = "writer-token-0123456789";
  /** Leader pages of at most 50 keys, so that a streamed GET /all takes several calls. */
  static final Limits LIMITS = new Limits(1024, 64 << 10, 1 << 20, 10, 50);

  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    GrpcSecurity tokens = GrpcSecurity.withTokens(BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE)));
    leader = InProcessLeader.start(dataDir, LIMITS, tokens);
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  private static PutRequest put(String key, String value) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static void assertUnauthorized(Reply reply, String why) {
    assertEquals(401, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    assertTrue(reply.error().contains(why), reply.body());
    assertEquals(List.of("Bearer realm=\"kvdb\""), reply.headers().allValues("www-authenticate"));
  }

  @Test
  void withoutATokenEveryApiCallIs401WithABearerChallenge() {
    String missing = "missing bearer token";
    assertUnauthorized(gateway.get("/get/anything"), missing);
    assertUnauthorized(gateway.set("anything", "v"), missing);
    assertUnauthorized(gateway.delete("/delete/anything"), missing);
    assertUnauthorized(gateway.get("/all"), missing);
    assertUnauthorized(gateway.get("/all?limit=5"), missing);
    assertUnauthorized(gateway.get("/cluster"), missing);
  }

  @Test
  void healthThePageAndTheDocsStayOpen() {
    assertEquals(200, gateway.get("/health").status());
    assertEquals(200, gateway.get("/").status());
    assertEquals(200, gateway.get("/docs/").status());
  }

  @Test
  void aReadTokenReadsButItsWritesAre403AndChangeNothing() {
    leader.kv(WRITER).put(put("read/only", "original"));
    GatewayUnderTest reader = gateway.as(READER);

    Reply got = reader.get("/get/" + encode("read/only"));
    assertEquals(200, got.status(), got.body());
    assertEquals("original", got.json().get("value").asText());
    assertEquals(200, reader.get("/cluster").status());
    assertEquals(200, reader.get("/all?prefix=read/").status());

    Reply set = reader.set("read/only", "overwritten");
    assertEquals(403, set.status(), set.body());
    assertTrue(set.error().contains("read-only") && set.error().contains("write token"), set.body());
    assertTrue(set.headers().allValues("www-authenticate").isEmpty(), "a 403 is no challenge");
    assertEquals(403, reader.delete("/delete/" + encode("read/only")).status());
    assertEquals("original", leader.kv(READER).get(GetRequest.newBuilder().setKey("read/only").build())
        .getValue().toStringUtf8());
  }

  @Test
  void aWriteTokenWritesThroughToTheLeader() {
    GatewayUnderTest writer = gateway.as(WRITER);

    Reply set = writer.set("write/k", "written through the gateway");
    assertEquals(200, set.status(), set.body());
    assertEquals("written through the gateway",
        leader.kv(READER).get(GetRequest.newBuilder().setKey("write/k").build()).getValue().toStringUtf8());

    assertEquals(200, writer.delete("/delete/" + encode("write/k")).status());
    StatusRuntimeException gone = assertThrows(StatusRuntimeException.class,
        () -> leader.kv(READER).get(GetRequest.newBuilder().setKey("write/k").build()));
    assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
  }

  /**
   * A reader and a writer at once through one gateway, whose one KvClient sends every call over
   * one channel that the test watches at the HTTP/2 level: each call carries its own caller's
   * token (a shared client must never lend one caller's token to another's call), and the leader's
   * answers are each caller's own: 200 for the writer's writes and the reader's reads, 403 for the
   * reader's writes, which change nothing.
   */
  @Test
  void aReadAndAWriteTokenThroughOneGatewayAndOneClientGetTheirOwnAnswers() throws Exception {
    List<String> sent = new CopyOnWriteArrayList<>();
    Channel watched = GrpcClients.builder("h2c://" + leader.address())
        .responseTimeout(Duration.ZERO)
        .decorator((delegate, ctx, request) -> {
          // Call credentials travel as the context's additional headers, merged into the request's
          // on the wire.
          sent.add(request.path() + " " + ctx.additionalRequestHeaders().get(HttpHeaderNames.AUTHORIZATION,
              request.headers().get(HttpHeaderNames.AUTHORIZATION, "(none)")));
          return delegate.execute(ctx, request);
        })
        .build(KVGrpc.KVStub.class)
        .getChannel();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try (GatewayUnderTest one = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()),
        // Unary calls, whose headers the decorator can see; the Session stream carries each
        // request's token in the request (kv-client's SessionTest checks it per request).
        LeaderClient.over(leader.address(), Duration.ofSeconds(10), watched, false))) {
      GatewayUnderTest reader = one.as(READER);
      GatewayUnderTest writer = one.as(WRITER);
      assertEquals(200, writer.set("both/k", "by the writer").status());

      int rounds = 10;
      List<CompletableFuture<Reply>> reads = new ArrayList<>();
      List<CompletableFuture<Reply>> refused = new ArrayList<>();
      List<CompletableFuture<Reply>> written = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        String key = "both/w" + i;
        reads.add(CompletableFuture.supplyAsync(() -> reader.get("/get/" + encode("both/k")), callers));
        refused.add(CompletableFuture.supplyAsync(() -> reader.set("both/k", "by the reader"), callers));
        written.add(CompletableFuture.supplyAsync(() -> writer.set(key, "by the writer"), callers));
      }

      for (int i = 0; i < rounds; i++) {
        Reply read = reads.get(i).join();
        assertEquals(200, read.status(), read.body());
        assertEquals("by the writer", read.json().get("value").asText());
        Reply denied = refused.get(i).join();
        assertEquals(403, denied.status(), denied.body());
        assertTrue(denied.error().contains("read-only"), denied.body());
        assertEquals(200, written.get(i).join().status());
      }
      assertEquals("by the writer", leader.kv(READER).get(GetRequest.newBuilder().setKey("both/k").build())
          .getValue().toStringUtf8(), "the reader's writes changed nothing");
      // The gateway's own refresh of the shard map (for reads while the leader is down) asks
      // Cluster/Status with no token at all: it borrows no caller's credential, so it is left out.
      Map<String, Long> calls = sent.stream().filter(call -> !call.equals("/kv.v1.Cluster/Status (none)"))
          .collect(Collectors.groupingBy(call -> call, Collectors.counting()));
      assertEquals(Map.of(
              "/kv.v1.KV/Put Bearer " + WRITER, 1L + rounds,
              "/kv.v1.KV/Get Bearer " + READER, (long) rounds,
              "/kv.v1.KV/Put Bearer " + READER, (long) rounds),
          calls, "every call of both callers went through the one client, each with its caller's token");
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void wrongAndMalformedCredentialsAre401AndChangeNothing() {
    for (int i = 0; i < 20; i++) {
      leader.kv(WRITER).put(put("kept/" + i, "v" + i));
    }
    ShardDigestsResponse digestsBefore = digests();
    String listingBefore = gateway.as(READER).get("/all").body();

    List<Function<HttpRequest.Builder, HttpRequest.Builder>> credentials = List.of(
        r -> r.header("Authorization", "Bearer not-a-token-of-this-leader"),
        r -> r.header("Authorization", "Basic " + WRITER),
        r -> r.header("Authorization", WRITER),
        r -> r.header("Authorization", "Bearer"),
        r -> r.header("Authorization", "Bearer " + WRITER + "\u00e9"),
        r -> r.header("Authorization", "Bearer " + WRITER).header("Authorization", "Bearer " + WRITER));
    for (var credential : credentials) {
      String json = "{\"key\": \"kept/1\", \"value\": \"overwritten\"}";
      String newKey = "{\"key\": \"new/key\", \"value\": \"v\"}";
      for (HttpRequest.Builder request : List.of(
          post("/set", json), post("/set", newKey), HttpRequest.newBuilder(gateway.uri("/delete/" + encode("kept/2")))
              .DELETE())) {
        Reply reply = gateway.send(credential.apply(request));
        assertEquals(401, reply.status(), reply.body());
        assertEquals(List.of("Bearer realm=\"kvdb\""), reply.headers().allValues("www-authenticate"));
      }
    }

    assertEquals(digestsBefore, digests(), "shard digests moved although every write was refused");
    assertEquals(listingBefore, gateway.as(READER).get("/all").body());
  }

  @Test
  void aStreamedListingSendsTheTokenWithEveryPage() {
    for (int i = 0; i < 120; i++) {
      leader.kv(WRITER).put(put(String.format("paged/%03d", i), "p" + i));
    }

    Reply all = gateway.as(READER).get("/all?prefix=paged/");

    assertEquals(200, all.status(), all.body());
    JsonNode items = all.json();
    assertEquals(120, items.size(), "every page of " + LIMITS.maxPageSize() + " keys came back");
    assertEquals("paged/119", items.get(119).get("key").asText());
  }

  @Test
  void grpcCallsThroughTheGatewayCarryTheCallersToken() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().build();
    try {
      StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
          () -> ClusterGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());

      assertEquals(8, withToken(ClusterGrpc.newBlockingStub(channel), READER)
          .status(StatusRequest.getDefaultInstance()).getShards());
      StatusRuntimeException readOnly = assertThrows(StatusRuntimeException.class,
          () -> withToken(KVGrpc.newBlockingStub(channel), READER).put(put("grpc/k", "v")));
      assertEquals(Status.Code.PERMISSION_DENIED, readOnly.getStatus().getCode());
      withToken(KVGrpc.newBlockingStub(channel), WRITER).put(put("grpc/k", "v"));
      assertEquals("v", leader.kv(READER).get(GetRequest.newBuilder().setKey("grpc/k").build())
          .getValue().toStringUtf8());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S withToken(S stub, String token) {
    Metadata headers = new Metadata();
    headers.put(BearerHeader.AUTHORIZATION, "Bearer " + token);
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static HttpRequest.Builder post(String path, String json) {
    return HttpRequest.newBuilder(gateway.uri(path)).POST(BodyPublishers.ofString(json))
        .header("Content-Type", "application/json");
  }

  private static ShardDigestsResponse digests() {
    return leader.cluster(READER).shardDigests(ShardDigestsRequest.getDefaultInstance());
  }
}
