package io.kvdb.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.LagSummary;
import io.kvdb.api.v1.ShardProgress;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WriteResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON the HTTP API writes: values, and protobuf replies with every field. */
class JsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static String pair(String key, ByteString value) {
    return new String(Json.bytes(json -> Json.writePair(json, key, value, 7)), StandardCharsets.UTF_8);
  }

  @Test
  void utf8ValuesAreStringsAndOtherBytesAreBase64() {
    assertEquals("{\"key\":\"k\",\"value\":\"é 🔑\",\"version\":7}", pair("k", ByteString.copyFromUtf8("é 🔑")));
    assertEquals("{\"key\":\"k\",\"value\":\"/wA=\",\"encoding\":\"base64\",\"version\":7}",
        pair("k", ByteString.copyFrom(new byte[] {(byte) 0xff, 0})));
    assertEquals("{\"key\":\"k\",\"value\":\"\",\"version\":7}", pair("k", ByteString.EMPTY));
  }

  @Test
  void protobufFieldsKeepTheirProtoNamesAndDefaultsAndUnsignedNumbers() throws IOException {
    WriteResponse reply = WriteResponse.newBuilder().setShard(-1).setSeq(-1L).build();

    JsonNode json = MAPPER.readTree(Json.bytes(out -> {
      out.writeStartObject();
      Json.writeFields(out, reply);
      out.writeEndObject();
    }));

    assertEquals(List.of("shard", "seq", "followers", "acks", "epoch", "version"), fieldNames(json));
    assertEquals("4294967295", json.get("shard").asText());
    assertEquals("18446744073709551615", json.get("seq").bigIntegerValue().toString());
    assertEquals(0, json.get("acks").asInt());
    assertEquals(0, json.get("followers").size());
  }

  /**
   * The browser test feeds the page {@code cluster-with-followers.json} in place of a live
   * /cluster; this keeps that file exactly what the gateway writes for such a status.
   */
  @Test
  void clusterStatusWithFollowersMatchesThePagesFixture() throws IOException {
    JsonNode fixture;
    try (InputStream in = JsonTest.class.getResourceAsStream("/cluster-with-followers.json")) {
      fixture = MAPPER.readTree(in);
    }
    StatusResponse status = statusLike(fixture);

    JsonNode written = MAPPER.readTree(Json.bytes(out -> {
      out.writeStartObject();
      Json.writeFields(out, status);
      out.writeEndObject();
    }));

    assertEquals(fixture, written);
  }

  /** Builds the proto field by field from the fixture's values, naming each field explicitly. */
  private static StatusResponse statusLike(JsonNode f) {
    StatusResponse.Builder status = StatusResponse.newBuilder()
        .setLeaderId(f.get("leader_id").asText())
        .setEpoch(f.get("epoch").asLong())
        .setShards(f.get("shards").asInt())
        .setReplicationFactor(f.get("replication_factor").asInt())
        .setAssignmentVersion(f.get("assignment_version").asLong())
        .setDurable(f.get("durable").asBoolean())
        .setKeys(f.get("keys").asLong())
        .setHeadSeqTotal(f.get("head_seq_total").asLong());
    f.get("unplaced_shards").forEach(s -> status.addUnplacedShards(s.asInt()));
    f.get("under_replicated_shards").forEach(s -> status.addUnderReplicatedShards(s.asInt()));
    f.get("missing_shards").forEach(s -> status.addMissingShards(s.asInt()));
    JsonNode lag = f.get("replication_lag");
    status.setReplicationLag(LagSummary.newBuilder().setCount(lag.get("count").asLong())
        .setP50Ms(lag.get("p50_ms").asDouble()).setP99Ms(lag.get("p99_ms").asDouble())
        .setP999Ms(lag.get("p999_ms").asDouble()).setMaxMs(lag.get("max_ms").asDouble())
        .setWindowSeconds(lag.get("window_seconds").asInt()));
    for (JsonNode node : f.get("followers")) {
      FollowerInfo.Builder follower = FollowerInfo.newBuilder()
          .setId(node.get("id").asText())
          .setAddress(node.get("address").asText())
          .setAlive(node.get("alive").asBoolean())
          .setAppliedTotal(node.get("applied_total").asLong())
          .setLagEvents(node.get("lag_events").asLong())
          .setLagMs(node.get("lag_ms").asLong())
          .setLastSeenMsAgo(node.get("last_seen_ms_ago").asLong())
          .setDrained(node.get("drained").asBoolean());
      node.get("shards").forEach(s -> follower.addShards(s.asInt()));
      node.get("incoming_shards").forEach(s -> follower.addIncomingShards(s.asInt()));
      node.get("progress").forEach(p -> follower.addProgress(ShardProgress.newBuilder()
          .setShard(p.get("shard").asInt()).setAppliedSeq(p.get("applied_seq").asLong())
          .setHeadSeq(p.get("head_seq").asLong())));
      status.addFollowers(follower);
    }
    return status.build();
  }

  private static List<String> fieldNames(JsonNode json) {
    List<String> names = new java.util.ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
