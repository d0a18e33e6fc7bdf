package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.sharding.ShardFunction;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** Put, Get, Delete and List through real stubs, answered by a real leader. */
@Timeout(60)
class KvApiTest {
  @RegisterExtension static final TestLeader leader = TestLeader.inProcess();
  private static final ShardFunction SHARD_OF = new ShardFunction(8);

  @Test
  void putThenGetReturnsTheValueAndItsShard() {
    WriteResponse put = put("greeting", ByteString.copyFromUtf8("hello"));
    assertEquals(SHARD_OF.shardOf("greeting"), put.getShard());
    assertTrue(put.getSeq() > 0);
    assertEquals(leader.server().metadata().epoch(), put.getEpoch());
    assertEquals(List.of(), put.getFollowersList(), "no follower is registered");
    assertEquals(0, put.getAcks());

    GetResponse got = leader.kv().get(GetRequest.newBuilder().setKey("greeting").build());
    assertEquals("greeting", got.getKey());
    assertEquals("hello", got.getValue().toStringUtf8());
    assertEquals(put.getShard(), got.getShard());
  }

  @Test
  void overwriteTakesTheNextSeqOfTheShard() {
    WriteResponse first = put("counter", ByteString.copyFromUtf8("1"));
    WriteResponse second = put("counter", ByteString.copyFromUtf8("2"));
    assertEquals(first.getSeq() + 1, second.getSeq());
    assertEquals("2", get("counter").toStringUtf8());
  }

  @Test
  void binaryValuesRoundTripByteForByte() {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    put("binary", ByteString.copyFrom(all));
    assertEquals(ByteString.copyFrom(all), get("binary"));
    put("empty value", ByteString.EMPTY);
    assertEquals(ByteString.EMPTY, get("empty value"));
  }

  @Test
  void unicodeKeysRoundTrip() {
    for (String key : List.of("clé", "ключ", "日本語", "😀", "tab\tand\nnewline")) {
      put(key, ByteString.copyFromUtf8(key));
      assertEquals(key, get(key).toStringUtf8());
    }
  }

  @Test
  void deleteRemovesTheKeyAndTakesASeq() {
    WriteResponse put = put("to delete", ByteString.copyFromUtf8("x"));
    WriteResponse deleted = leader.kv().delete(DeleteRequest.newBuilder().setKey("to delete").build());
    assertEquals(put.getShard(), deleted.getShard());
    assertEquals(put.getSeq() + 1, deleted.getSeq());
    assertCode(Status.Code.NOT_FOUND, () -> get("to delete"));
  }

  @Test
  void getOfMissingKeyIsNotFoundNamingTheKey() {
    StatusRuntimeException e = assertCode(Status.Code.NOT_FOUND, () -> get("never written"));
    assertEquals("key not found: never written", e.getStatus().getDescription());
  }

  @Test
  void deleteOfMissingKeyIsNotFoundAndWritesNothing() {
    int shard = SHARD_OF.shardOf("never written either");
    long seqBefore = headSeq(shard);
    StatusRuntimeException e = assertCode(Status.Code.NOT_FOUND,
        () -> leader.kv().delete(DeleteRequest.newBuilder().setKey("never written either").build()));
    assertEquals("key not found: never written either", e.getStatus().getDescription());
    assertEquals(seqBefore, headSeq(shard));
  }

  @Test
  void waitingForAsManyAcksAsTheReplicationFactorIsAllowedAndCountsNone() {
    WriteResponse put = leader.kv().put(PutRequest.newBuilder().setKey("acked").setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(1).setTimeoutMs(50)).build());
    assertEquals(0, put.getAcks(), "no follower exists to ack; the write is committed all the same");
    assertEquals("v", get("acked").toStringUtf8());
  }

  @Test
  void listReturnsPairsInKeyOrder() {
    put("list/b", ByteString.copyFromUtf8("2"));
    put("list/a", ByteString.copyFromUtf8("1"));
    put("list/c", ByteString.copyFromUtf8("3"));
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("list/").build());
    assertEquals(List.of("list/a", "list/b", "list/c"), page.getItemsList().stream().map(KeyValue::getKey).toList());
    assertEquals(List.of("1", "2", "3"), page.getItemsList().stream().map(kv -> kv.getValue().toStringUtf8()).toList());
    assertFalse(page.getHasMore());
    assertEquals("", page.getNextStartAfter());
  }

  private static WriteResponse put(String key, ByteString value) {
    return leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(value).build());
  }

  private static ByteString get(String key) {
    return leader.kv().get(GetRequest.newBuilder().setKey(key).build()).getValue();
  }

  private static long headSeq(int shard) {
    return leader.cluster().shardDigests(ShardDigestsRequest.newBuilder().addShards(shard).build())
        .getDigests(0).getSeq();
  }

  static StatusRuntimeException assertCode(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    return e;
  }
}
