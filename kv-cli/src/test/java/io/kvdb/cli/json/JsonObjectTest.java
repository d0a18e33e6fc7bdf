package io.kvdb.cli.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.StatusResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's JSON text, read back by Jackson: what goes in comes out, and protobuf fields by name. */
class JsonObjectTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyCharacterOfAStringComesBack() throws Exception {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
    }
    all.append("é 😀 \u2028 \uFFFF");
    String text = all.toString();
    assertEquals(text, JSON.readTree(JsonText.quote(text)).asText());
    assertEquals(text, JSON.readTree(new JsonObject().put(text, text).toString()).get(text).asText());
  }

  @Test
  void valuesOfEachKindKeepTheirType() throws Exception {
    JsonObject object = new JsonObject().put("s", "x").put("i", 7).put("l", Long.MIN_VALUE).put("d", 0.5)
        .put("nan", Double.NaN).put("t", true).put("n", null).put("list", List.of(1, "two", List.of()))
        .put("map", Map.of("k", false)).put("object", new JsonObject().put("inner", 1));
    JsonNode read = JSON.readTree(object.toString());
    assertEquals("{\"s\":\"x\",\"i\":7,\"l\":-9223372036854775808,\"d\":0.5,\"nan\":null,\"t\":true,\"n\":null,"
        + "\"list\":[1,\"two\",[]],\"map\":{\"k\":false},\"object\":{\"inner\":1}}", read.toString());
    assertEquals("{\"a\": 2}", new JsonObject().put("a", 1).put("a", 2).toString(), "a field put again: its last value");
    assertThrows(IllegalArgumentException.class, () -> new JsonObject().put("x", new Object()).toString());
  }

  @Test
  void aValueIsItsTextWhenUtf8ElseBase64() throws Exception {
    JsonNode text = JSON.readTree(new JsonObject().putValue(ByteString.copyFromUtf8("héllo")).toString());
    assertEquals("héllo", text.get("value").asText());
    assertEquals("utf8", text.get("encoding").asText());
    byte[] bytes = {(byte) 0xc3, 0x28, 0};
    JsonNode binary = JSON.readTree(new JsonObject().putFields(KeyValue.newBuilder().setKey("k")
        .setValue(ByteString.copyFrom(bytes)).build()).toString());
    assertEquals("k", binary.get("key").asText());
    assertEquals("base64", binary.get("encoding").asText());
    assertEquals(ByteString.copyFrom(bytes), ByteString.copyFrom(Base64.getDecoder().decode(binary.get("value").asText())));
  }

  @Test
  void protobufFieldsByTheirProtoNamesEveryOnePresentUnsignedAsUnsigned() throws Exception {
    StatusResponse status = StatusResponse.newBuilder().setLeaderId("leader-1").setShards(8)
        .addFollowers(FollowerInfo.newBuilder().setId("f1").setAlive(true).addShards(3).addShards(5))
        .addUnderReplicatedShards(2).build();
    JsonNode read = JSON.readTree(new JsonObject().putFields(status).toString());
    assertEquals("leader-1", read.get("leader_id").asText());
    assertEquals(StatusResponse.getDescriptor().getFields().size(), read.size(), "every field, set or not: " + read);
    assertEquals("[3,5]", read.get("followers").get(0).get("shards").toString());
    assertEquals(0, read.get("followers").get(0).get("lag_ms").asLong(), "an unset field is there with its default");
    assertEquals("[2]", read.get("under_replicated_shards").toString());
    assertEquals(0, read.get("replication_lag").get("count").asLong(), "a nested message is an object");

    JsonNode digest = JSON.readTree(new JsonObject().putFields(ShardDigest.newBuilder().setShard(1).setDigest(-1L)
        .build()).toString());
    assertEquals("18446744073709551615", digest.get("digest").asText(), "a uint64 is unsigned");
  }
}
