package io.kvdb.leader;

import static io.kvdb.leader.KvApiTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.config.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * --max-message-bytes is enforced by the transport before the request is read, so this runs over
 * loopback TCP (the in-process transport does not serialize messages, hence never measures them).
 */
@Timeout(60)
class MessageLimitTest {
  private static final int MAX_MESSAGE = 4096;

  @RegisterExtension
  static final TestLeader leader = TestLeader.overLoopback(
      config -> config.withLimits(new Limits(1024, 1 << 20, MAX_MESSAGE, 100, 1000)));

  @Test
  void requestOverTheMessageLimitIsResourceExhaustedAndNotStored() {
    StatusRuntimeException e = assertCode(Code.RESOURCE_EXHAUSTED, () -> put("huge", MAX_MESSAGE + 1));
    assertTrue(e.getStatus().getDescription().contains(Integer.toString(MAX_MESSAGE)), e.getStatus().toString());
    assertCode(Code.NOT_FOUND, () -> leader.kv().get(GetRequest.newBuilder().setKey("huge").build()));
  }

  @Test
  void requestJustUnderTheMessageLimitIsServed() {
    put("fits", MAX_MESSAGE - 100);
    assertEquals(MAX_MESSAGE - 100, leader.kv().get(GetRequest.newBuilder().setKey("fits").build()).getValue().size());
  }

  private static void put(String key, int valueBytes) {
    leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFrom(new byte[valueBytes])).build());
  }
}
