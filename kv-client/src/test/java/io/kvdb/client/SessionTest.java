package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Get, put and delete over the leader's KV Session stream ({@link KvOptions#withSession}) against
 * the real leader core in-process: one stream for many concurrent calls, each with its own token,
 * deadline and error, and a stream that breaks when the leader goes away and is opened anew.
 */
@Timeout(60)
class SessionTest {
  private static final String READER = "session-reader-token-0123456789";
  private static final String WRITER = "session-writer-token-0123456789";
  private static final String SESSION = KVGrpc.getSessionMethod().getFullMethodName();

  @TempDir Path dir;
  private LeaderUnderTest leader;

  @AfterEach
  void stop() {
    leader.close();
  }

  private KvClient sessionClient(GrpcSecurity security) {
    leader = new LeaderUnderTest(dir, security);
    return KvClient.over(leader.channel(), KvOptions.DEFAULT.withSession(true));
  }

  @Test
  void manyConcurrentCallsShareOneStream() throws Exception {
    KvClient client = sessionClient(GrpcSecurity.NONE);
    int calls = 500;
    List<CompletableFuture<WriteResponse>> puts = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      puts.add(client.putAsync("k" + i, utf8("v" + i)));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    List<CompletableFuture<Optional<ByteString>>> gets = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      gets.add(client.getAsync("k" + i));
    }
    for (int i = 0; i < calls; i++) {
      assertEquals(Optional.of(utf8("v" + i)), gets.get(i).get(30, TimeUnit.SECONDS), "k" + i);
    }
    assertTrue(client.delete("k0").isPresent());
    assertEquals(Optional.empty(), client.delete("k0"), "a missing key is NOT_FOUND, as in a unary delete");
    assertEquals(Optional.empty(), client.get("k0"));

    assertEquals(1, leader.calls(SESSION), "every call went on one stream");
    assertEquals(0, leader.calls(KVGrpc.getPutMethod().getFullMethodName()));
    assertEquals(0, leader.calls(KVGrpc.getGetMethod().getFullMethodName()));
  }

  @Test
  void eachRequestCarriesItsCallersTokenAndARefusalFailsThatRequestOnly() throws Exception {
    KvClient shared = sessionClient(
        GrpcSecurity.withTokens(BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE))));
    assertEquals(1, shared.withToken(WRITER).put("k", utf8("written")).getSeq());
    assertEquals(Optional.of(utf8("written")), shared.withToken(READER).getAsync("k").get(10, TimeUnit.SECONDS));

    KvException readOnly = assertThrows(KvException.class, () -> shared.withToken(READER).put("k", utf8("changed")));
    assertEquals(Status.Code.PERMISSION_DENIED, readOnly.code());
    assertEquals("this token is read-only; kv.v1.KV/Put needs a write token", readOnly.description());
    KvException wrong = assertThrows(KvException.class, () -> shared.withToken("not-a-token-of-this-leader").get("k"));
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.code());
    assertEquals("invalid bearer token", wrong.description());
    assertEquals(1, wrong.attempts(), "only UNAVAILABLE is retried");
    CompletionException anonymous = assertThrows(CompletionException.class, () -> shared.deleteAsync("k").join());
    assertEquals(Status.Code.UNAUTHENTICATED, ((KvException) anonymous.getCause()).code());

    assertEquals(Optional.of(utf8("written")), shared.withToken(WRITER).get("k"), "nothing was changed");
    assertEquals(1, leader.calls(SESSION), "the refusals left the stream open");
  }

  @Test
  void oneCallPastItsDeadlineFailsWhileTheOthersSucceed() throws Exception {
    KvClient client = sessionClient(GrpcSecurity.NONE);
    // A write's deadline is the client's deadline plus its ack wait (300 ms + 200 ms here); the
    // leader's wait for acks hangs past both.
    leader.acksHang(true);
    KvClient waiting = client.withOptions(client.options().withDeadline(Duration.ofMillis(300)))
        .withAcks(1, Duration.ofMillis(200));
    long start = System.nanoTime();
    CompletableFuture<WriteResponse> slow = waiting.putAsync("slow", utf8("v"));
    for (int i = 0; i < 20; i++) {
      assertTrue(client.put("k" + i, utf8("v")).getSeq() > 0);
      assertEquals(Optional.of(utf8("v")), client.get("k" + i));
    }
    ExecutionException failed = assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, ((KvException) failed.getCause()).code());
    assertTrue(tookMs >= 450 && tookMs < 10_000, "failed after its 500-ms deadline: " + tookMs);
    assertEquals(Optional.of(utf8("v")), client.get("slow"), "committed, as a unary write past its deadline may be");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (leader.openAckWaits() > 0 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertEquals(0, leader.openAckWaits(), "the request's deadline on the leader freed its ack wait");
    assertEquals(1, leader.calls(SESSION));
  }

  @Test
  void theLeaderGoingAwayFailsTheCallsInFlightAndTheNextCallReopens() throws Exception {
    KvClient client = sessionClient(GrpcSecurity.NONE);
    client.put("k", utf8("v"));
    List<CompletableFuture<WriteResponse>> inFlight = new ArrayList<>();
    for (int i = 0; i < 5; i++) { // each waits 20 s for an ack that never comes
      inFlight.add(client.withAcks(1, Duration.ofSeconds(20)).putAsync("waiting" + i, utf8("v")));
    }
    assertFalse(inFlight.get(0).isDone());

    leader.stopServing();
    for (CompletableFuture<WriteResponse> call : inFlight) {
      ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
      KvException error = (KvException) failed.getCause();
      assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage());
      assertEquals(1, error.attempts(), "a write is never sent again");
    }

    leader.serveAgain();
    assertEquals(Optional.of(utf8("v")), client.get("k"));
    assertEquals(2, leader.calls(SESSION), "the next call opened a new stream");
  }

  @Test
  void badInputFailsItsRequestAloneWithTheUnaryCallsStatus() throws Exception {
    KvClient client = sessionClient(GrpcSecurity.NONE);
    CompletableFuture<WriteResponse> good = client.putAsync("good", utf8("v"));
    KvException tooLarge = assertThrows(KvException.class, () -> client.put("k".repeat(2000), utf8("v")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooLarge.code());
    assertEquals("key is 2000 bytes; the limit is 1024 (--max-key-bytes)", tooLarge.description());
    KvException empty = assertThrows(KvException.class, () -> client.get(""));
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.code());
    KvException tooManyAcks = assertThrows(KvException.class, () -> client.withAcks(2, Duration.ZERO).delete("good"));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooManyAcks.code());
    // The bad requests fail before the write pipeline, so their replies say nothing of the good put:
    // it is committed only once its own reply is in, and only then may the disk turn full.
    assertEquals(1, good.get(10, TimeUnit.SECONDS).getSeq());

    leader.diskFull(true);
    KvException full = assertThrows(KvException.class, () -> client.put("more", utf8("v")));
    assertTrue(full.isDiskFull(), "the status details (ErrorInfo DISK_FULL) crossed the stream: " + full);
    leader.diskFull(false);

    assertEquals(Optional.of(utf8("v")), client.get("good"));
    assertEquals(1, leader.calls(SESSION), "the stream outlived every bad request");
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
