package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.security.GrpcSecurity;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Versions and compare-and-set through kv-client, unary and on the Session stream, against the real leader core. */
@Timeout(60)
class CompareAndSetClientTest {
  @TempDir Path dir;
  private LeaderUnderTest leader;

  @BeforeEach
  void start() {
    leader = new LeaderUnderTest(dir, GrpcSecurity.NONE);
  }

  @AfterEach
  void stop() {
    leader.close();
  }

  @ParameterizedTest(name = "session {0}")
  @ValueSource(booleans = {false, true})
  void aWriteOnTheVersionReadPassesAndOneOnAnOlderVersionConflicts(boolean session) {
    KvClient client = KvClient.over(leader.channel(), KvOptions.DEFAULT.withSession(session));
    WriteResponse created = client.put("k", utf8("1"), 0);
    assertTrue(created.getVersion() > 0);
    GetResponse read = client.getEntry("k").orElseThrow();
    assertEquals(created.getVersion(), read.getVersion(), "a read shows the version of the last write");
    assertEquals(utf8("1"), read.getValue());
    assertEquals(created.getVersion(), client.list("").findFirst().orElseThrow().getVersion(), "so does a listing");

    WriteResponse updated = client.put("k", utf8("2"), read.getVersion());
    assertTrue(updated.getVersion() > read.getVersion());
    VersionConflictException stale = assertThrows(VersionConflictException.class,
        () -> client.put("k", utf8("3"), read.getVersion()));
    assertEquals(updated.getVersion(), stale.currentVersion());
    assertEquals(Status.Code.FAILED_PRECONDITION, stale.code());
    assertEquals(Optional.of(ErrorReasons.VERSION_MISMATCH), stale.reason());
    assertEquals(utf8("2"), client.get("k").orElseThrow(), "nothing was written");

    VersionConflictException exists = assertThrows(VersionConflictException.class,
        () -> client.put("k", utf8("again"), 0));
    assertEquals(updated.getVersion(), exists.currentVersion(), "0: the key must not exist");
    VersionConflictException missing = assertThrows(VersionConflictException.class,
        () -> client.delete("absent", 5));
    assertEquals(0, missing.currentVersion(), "0: no such key");
    CompletionException async = assertThrows(CompletionException.class,
        () -> client.deleteAsync("k", read.getVersion()).join());
    assertInstanceOf(VersionConflictException.class, async.getCause());

    WriteResponse deleted = client.delete("k", updated.getVersion()).orElseThrow();
    assertTrue(deleted.getVersion() > updated.getVersion());
    assertEquals(Optional.empty(), client.getEntry("k"));
    assertEquals(Optional.empty(), client.delete("k", 0), "a missing key with 0 is a plain not-found");
    int unaryPuts = leader.calls(KVGrpc.getPutMethod().getFullMethodName());
    assertTrue(session ? unaryPuts == 0 : unaryPuts > 0, "the puts went " + (session ? "on the stream" : "unary"));
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
