package io.kvdb.gateway.v1;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.gateway.http.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Set;

/**
 * How the {@code /v1} routes write a key and its value: {@code {"key", "value", "encoding"}}, the
 * encoding always present, {@code "utf8"} for a value that is valid UTF-8 (written as a plain
 * string) and {@code "base64"} for any other bytes (standard base64 with padding). Armeria's
 * HTTP/JSON transcoding would write every value as base64; this form keeps text readable.
 *
 * <p>Every other field of the item that is set follows by its .proto name (such as a key's
 * {@code version} once the contract carries one); a field that is absent is left out.
 */
final class V1Json {
  /** The two encodings of a value, as they appear in {@code "encoding"}. */
  static final String UTF8 = "utf8";
  static final String BASE64 = "base64";

  private static final Set<String> WRITTEN_FIRST = Set.of("key", "value");

  /** The item form of the {@code /v1} routes, for {@code GET /v1/kv/{key}} and each item of {@code GET /v1/kv}. */
  static final Json.ItemForm ITEM = V1Json::writeItem;

  private V1Json() {}

  static void writeItem(JsonGenerator json, KeyValue item) throws IOException {
    writeItem(json, item, 0);
  }

  /** As above, with {@code "ttl_remaining_ms"} last when the key has a TTL ({@code ttlRemainingMs} > 0). */
  static void writeItem(JsonGenerator json, KeyValue item, long ttlRemainingMs) throws IOException {
    json.writeStartObject();
    json.writeStringField("key", item.getKey());
    ByteString value = item.getValue();
    if (value.isValidUtf8()) {
      json.writeStringField("value", value.toStringUtf8());
      json.writeStringField("encoding", UTF8);
    } else {
      json.writeStringField("value", Base64.getEncoder().encodeToString(value.toByteArray()));
      json.writeStringField("encoding", BASE64);
    }
    Json.writeSetFields(json, item, WRITTEN_FIRST);
    if (ttlRemainingMs > 0) {
      json.writeNumberField("ttl_remaining_ms", ttlRemainingMs);
    }
    json.writeEndObject();
  }
}
