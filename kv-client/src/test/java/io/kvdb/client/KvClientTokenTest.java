package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.core.security.BearerTokens;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens against a leader with the real token check: set per client, and per call through a
 * view of one shared client, as the HTTP gateway forwards each of its callers' token.
 */
@Timeout(60)
class KvClientTokenTest {
  private static final String READER = "client-reader-token-0123456789";
  private static final String WRITER = "client-writer-token-0123456789";

  @TempDir Path dir;
  private LeaderUnderTest leader;
  /** One client without a token of its own, as the gateway holds. */
  private KvClient shared;

  @BeforeEach
  void start() {
    leader = new LeaderUnderTest(dir,
        GrpcSecurity.withTokens(BearerTokens.of(Map.of(READER, Role.READ, WRITER, Role.WRITE))));
    shared = KvClient.over(leader.channel());
  }

  @AfterEach
  void stop() throws Exception {
    leader.close();
  }

  @Test
  void eachCallOfOneSharedClientCarriesItsCallersToken() throws Exception {
    assertEquals(1, shared.withToken(WRITER).put("k", utf8("written")).getSeq());
    assertEquals(Optional.of(utf8("written")), shared.withToken(READER).get("k"));
    assertEquals(Optional.of(utf8("written")), shared.withToken(READER).getAsync("k").get(10, TimeUnit.SECONDS));

    KvException readOnly = assertThrows(KvException.class, () -> shared.withToken(READER).put("k", utf8("changed")));
    assertEquals(Status.Code.PERMISSION_DENIED, readOnly.code());
    CompletionException asyncReadOnly = assertThrows(CompletionException.class,
        () -> shared.withToken(READER).deleteAsync("k").join());
    assertEquals(Status.Code.PERMISSION_DENIED, ((KvException) asyncReadOnly.getCause()).code());

    KvException anonymous = assertThrows(KvException.class, () -> shared.get("k"));
    assertEquals(Status.Code.UNAUTHENTICATED, anonymous.code(), "the views left the shared client without a token");
    assertEquals(Optional.of(utf8("written")), shared.withToken(WRITER).get("k"), "nothing was changed");
  }

  @Test
  void aClientsOwnTokenGoesWithEveryCallAndAViewReplacesIt() {
    KvClient writer = KvClient.over(leader.channel(), KvOptions.DEFAULT.withToken(WRITER));
    writer.put("k", utf8("v"));
    assertEquals(1, writer.status().getKeys(), "the Cluster API takes the token too");
    assertEquals(1, writer.list("").count());

    KvClient reader = writer.withToken(READER);
    assertEquals(Optional.of(utf8("v")), reader.get("k"));
    assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(KvException.class, () -> reader.delete("k")).code());
    assertEquals(Status.Code.UNAUTHENTICATED,
        assertThrows(KvException.class, () -> writer.withOptions(writer.options().withoutToken()).get("k")).code());
  }

  @Test
  void aRefusedTokenIsNotRetriedAndNeverShown() {
    String get = KVGrpc.getGetMethod().getFullMethodName();
    int before = leader.calls(get);
    KvException wrong = assertThrows(KvException.class, () -> shared.withToken("not-a-token-of-this-leader").get("k"));
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.code());
    assertEquals("invalid bearer token", wrong.description());
    assertEquals(1, leader.calls(get) - before, "only UNAVAILABLE is retried");
    assertFalse(shared.withToken(WRITER).options().toString().contains(WRITER));
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
