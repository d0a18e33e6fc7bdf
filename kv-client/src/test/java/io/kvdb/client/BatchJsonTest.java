package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.BatchRequest;
import org.junit.jupiter.api.Test;

/** The JSON form of a batch, as POST /batch and ./kv batch read it. */
class BatchJsonTest {
  @Test
  void readsPutsAndDeletesWithTheirOptions() {
    BatchRequest batch = BatchJson.parse("{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"h\u00e9\","
        + " \"ttl_seconds\": 30, \"expected_version\": 0}, {\"op\": \"put\", \"key\": \"b\", \"value\": \"/w==\","
        + " \"encoding\": \"base64\"}, {\"op\": \"delete\", \"key\": \"c\", \"expected_version\": 1838574308785152},"
        + " {\"op\": \"delete\", \"key\": \"d\"}]}");
    assertEquals(4, batch.getOpsCount());
    assertEquals(ByteString.copyFromUtf8("h\u00e9"), batch.getOps(0).getPut().getValue());
    assertEquals(30, batch.getOps(0).getPut().getTtlSeconds());
    assertTrue(batch.getOps(0).getPut().hasExpectedVersion());
    assertEquals(0, batch.getOps(0).getPut().getExpectedVersion());
    assertEquals(ByteString.copyFrom(new byte[] {(byte) 0xff}), batch.getOps(1).getPut().getValue());
    assertFalse(batch.getOps(1).getPut().hasExpectedVersion(), "absent: no condition");
    assertFalse(batch.getOps(1).getPut().hasTtlSeconds(), "absent: no expiry (and any earlier TTL cleared)");
    assertEquals(1838574308785152L, batch.getOps(2).getDelete().getExpectedVersion());
    assertFalse(batch.getOps(3).getDelete().hasExpectedVersion());
  }

  @Test
  void refusalsNameTheOpAndTheProblem() {
    assertRefused("ops[1]: unknown field 'value' in a delete",
        "{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"1\"}, {\"op\": \"delete\", \"key\": \"b\", \"value\": \"x\"}]}");
    assertRefused("ops[0]: \"op\" must be \"put\" or \"delete\"", "{\"ops\": [{\"op\": \"get\", \"key\": \"a\"}]}");
    assertRefused("ops[0]: missing \"value\"", "{\"ops\": [{\"op\": \"put\", \"key\": \"a\"}]}");
    assertRefused("ops[0]: key is empty", "{\"ops\": [{\"op\": \"delete\", \"key\": \"\"}]}");
    assertRefused("ops[0]: \"expected_version\" must be a whole number >= 0",
        "{\"ops\": [{\"op\": \"delete\", \"key\": \"a\", \"expected_version\": -1}]}");
    assertRefused("ops[0]: ttl_seconds must be a whole number of seconds >= 1",
        "{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"1\", \"ttl_seconds\": 1.5}]}");
    assertRefused("ops[0]: ttl_seconds must be a whole number of seconds >= 1, got 0",
        "{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"1\", \"ttl_seconds\": 0}]}");
    assertRefused("ops[0]: \"encoding\" must be \"utf8\" (the default) or \"base64\"",
        "{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"1\", \"encoding\": \"hex\"}]}");
    assertRefused("ops[0]: \"value\" is not valid base64",
        "{\"ops\": [{\"op\": \"put\", \"key\": \"a\", \"value\": \"***\", \"encoding\": \"base64\"}]}");
    assertRefused("\"ops\" must be a JSON array", "{\"ops\": {}}");
    assertRefused("unknown field 'op'", "{\"op\": \"put\"}");
    assertRefused("malformed JSON", "{ops: []}");
    assertRefused("malformed JSON", "{\"ops\": []} trailing");
  }

  private static void assertRefused(String saying, String json) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> BatchJson.parse(json));
    assertTrue(refused.getMessage().startsWith(saying), refused.getMessage());
  }
}
