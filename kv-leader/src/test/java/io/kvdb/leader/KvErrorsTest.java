package io.kvdb.leader;

import static io.kvdb.leader.KvApiTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.core.config.Limits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every error a KV call can answer, with a message a person can act on, and the stored data
 * unchanged by any of them. Small limits make the boundaries cheap to reach.
 */
@Timeout(60)
class KvErrorsTest {
  private static final int MAX_KEY = 16;
  private static final int MAX_VALUE = 1000;
  private static final int MAX_MESSAGE = 4096;

  @RegisterExtension
  static final TestLeader leader = TestLeader.inProcess(
      config -> config.withLimits(new Limits(MAX_KEY, MAX_VALUE, MAX_MESSAGE, 10, 50)));

  @BeforeAll
  static void storeSomething() {
    for (String key : new String[] {"a", "b", "c"}) {
      leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("kept")).build());
    }
  }

  @Test
  void emptyKeyIsInvalidForEveryCall() {
    String message = "key is empty; keys are non-empty UTF-8 strings";
    assertDescription(message, assertCode(Code.INVALID_ARGUMENT, () -> put("", 1)));
    assertDescription(message, assertCode(Code.INVALID_ARGUMENT, () -> get("")));
    assertDescription(message, assertCode(Code.INVALID_ARGUMENT, () -> delete("")));
  }

  @Test
  void keyOverTheLimitIsResourceExhaustedNamingTheFlag() {
    String key = "k".repeat(MAX_KEY + 1);
    String message = "key is 17 bytes; the limit is 16 (--max-key-bytes)";
    assertDescription(message, assertCode(Code.RESOURCE_EXHAUSTED, () -> put(key, 1)));
    assertDescription(message, assertCode(Code.RESOURCE_EXHAUSTED, () -> get(key)));
    assertDescription(message, assertCode(Code.RESOURCE_EXHAUSTED, () -> delete(key)));
  }

  @Test
  void keyLimitCountsUtf8BytesNotCharacters() {
    // 8 characters, 16 bytes: at the limit. One more two-byte character is over it.
    put("éééééééé", 1);
    assertCode(Code.RESOURCE_EXHAUSTED, () -> put("ééééééééé", 1));
  }

  @Test
  void valueOverTheLimitIsResourceExhaustedNamingTheFlag() {
    put("max value", MAX_VALUE);
    assertDescription("value is 1001 bytes; the limit is 1000 (--max-value-bytes)",
        assertCode(Code.RESOURCE_EXHAUSTED, () -> put("too big", MAX_VALUE + 1)));
  }

  @Test
  void minAcksAboveTheReplicationFactorIsInvalid() {
    WaitForAcks two = WaitForAcks.newBuilder().setMinAcks(2).build();
    String message = "min_acks is 2 but each shard is placed on only 1 follower(s) (the replication factor)";
    assertDescription(message, assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().put(
        PutRequest.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("changed")).setWait(two).build())));
    assertDescription(message, assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().delete(
        DeleteRequest.newBuilder().setKey("a").setWait(two).build())));
  }

  @Test
  void largestUint32MinAcksIsInvalidToo() {
    // min_acks is a uint32: 4294967295 reaches Java as -1 and must not slip under the check.
    WaitForAcks huge = WaitForAcks.newBuilder().setMinAcks(-1).build();
    StatusRuntimeException e = assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().put(
        PutRequest.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("changed")).setWait(huge).build()));
    assertEquals("min_acks is 4294967295 but each shard is placed on only 1 follower(s) (the replication factor)",
        e.getStatus().getDescription());
  }

  @Test
  void prefixOrCursorLongerThanAnyKeyIsInvalid() {
    String tooLong = "p".repeat(MAX_KEY + 1);
    assertDescription("prefix is longer than the longest possible key (16 bytes)",
        assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().list(ListRequest.newBuilder().setPrefix(tooLong).build())));
    assertDescription("start_after is longer than the longest possible key (16 bytes)",
        assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().list(ListRequest.newBuilder().setStartAfter(tooLong).build())));
  }

  @Test
  void badRequestsNeverChangeStoredData() {
    ShardDigestsResponse digestsBefore = leader.cluster().shardDigests(ShardDigestsRequest.getDefaultInstance());
    ListResponse keysBefore = leader.kv().list(ListRequest.newBuilder().setLimit(50).build());

    WaitForAcks tooMany = WaitForAcks.newBuilder().setMinAcks(9).build();
    Runnable[] bad = {
        () -> put("", 1),
        () -> put("k".repeat(MAX_KEY + 1), 1),
        () -> put("a", MAX_VALUE + 1),
        () -> leader.kv().put(PutRequest.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("x")).setWait(tooMany).build()),
        () -> leader.kv().delete(DeleteRequest.newBuilder().setKey("a").setWait(tooMany).build()),
        () -> leader.kv().put(PutRequest.newBuilder().setKey("a").setValue(ByteString.copyFromUtf8("x"))
            .setWait(WaitForAcks.newBuilder().setMinAcks(-1)).build()),
        () -> delete(""),
        () -> delete("k".repeat(MAX_KEY + 1)),
        () -> delete("never existed"),
    };
    for (Runnable call : bad) {
      assertThrows(StatusRuntimeException.class, call::run);
    }

    assertEquals(digestsBefore, leader.cluster().shardDigests(ShardDigestsRequest.getDefaultInstance()));
    assertEquals(keysBefore, leader.kv().list(ListRequest.newBuilder().setLimit(50).build()));
  }

  private static void put(String key, int valueBytes) {
    leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(new byte[valueBytes])).build());
  }

  private static void get(String key) {
    leader.kv().get(GetRequest.newBuilder().setKey(key).build());
  }

  private static void delete(String key) {
    leader.kv().delete(DeleteRequest.newBuilder().setKey(key).build());
  }

  private static void assertDescription(String expected, StatusRuntimeException e) {
    assertEquals(expected, e.getStatus().getDescription());
  }
}
