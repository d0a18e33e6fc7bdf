package io.kvdb.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.kvdb.api.v1.BatchRequest;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The JSON form of an atomic batch, one definition for the HTTP gateway ({@code POST /batch}) and
 * the CLI ({@code ./kv batch FILE}): {@code {"ops": [{"op": "put", "key": "...", "value": "...",
 * "encoding": "base64", "ttl_seconds": N, "expected_version": N}, {"op": "delete", "key": "...",
 * "expected_version": N}]}}. Values are UTF-8 text unless the op says {@code "encoding": "base64"}
 * ({@link ValueEncoding}, the rules of every JSON body of the API);
 * {@code ttl_seconds} and {@code expected_version} are optional. Only the form is checked here;
 * the limits and a key appearing twice are the leader's to refuse.
 */
public final class BatchJson {
  /** What to send, for error messages. */
  public static final String SHAPE = "{\"ops\": [{\"op\": \"put\", \"key\": \"...\", \"value\": \"...\"},"
      + " {\"op\": \"delete\", \"key\": \"...\"}]}";
  private static final Map<String, List<String>> FIELDS = Map.of(
      "put", List.of("op", "key", "value", "encoding", "ttl_seconds", "expected_version"),
      "delete", List.of("op", "key", "expected_version"));

  private BatchJson() {}

  /**
   * The batch {@code json} describes.
   *
   * @throws IllegalArgumentException saying what is wrong, and in which op ({@code ops[i]: ...})
   */
  public static BatchRequest parse(String json) {
    JsonElement root;
    try {
      JsonReader reader = new JsonReader(new StringReader(json));
      reader.setStrictness(Strictness.STRICT);
      root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new IllegalArgumentException("malformed JSON: more after the batch's object");
      }
    } catch (IOException | JsonParseException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getMessage());
    }
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException("a batch is a JSON object: " + SHAPE);
    }
    for (String name : root.getAsJsonObject().keySet()) {
      if (!name.equals("ops")) {
        throw new IllegalArgumentException("unknown field '" + name + "'; a batch has one field, ops");
      }
    }
    JsonElement ops = root.getAsJsonObject().get("ops");
    if (ops == null || !ops.isJsonArray()) {
      throw new IllegalArgumentException("\"ops\" must be a JSON array: " + SHAPE);
    }
    KvBatch batch = KvBatch.builder();
    JsonArray array = ops.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      try {
        add(batch, array.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ops[" + i + "]: " + e.getMessage(), e);
      }
    }
    return batch.build();
  }

  private static void add(KvBatch batch, JsonElement element) {
    if (!element.isJsonObject()) {
      throw new IllegalArgumentException("an op is a JSON object, got " + element);
    }
    JsonObject op = element.getAsJsonObject();
    String kind = text(op, "op");
    List<String> fields = FIELDS.get(kind);
    if (fields == null) {
      throw new IllegalArgumentException("\"op\" must be \"put\" or \"delete\", got \"" + kind + "\"");
    }
    for (String name : op.keySet()) {
      if (!fields.contains(name)) {
        throw new IllegalArgumentException("unknown field '" + name + "' in a " + kind + "; its fields are "
            + String.join(", ", fields));
      }
    }
    String key = text(op, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key is empty; keys are non-empty strings");
    }
    OptionalLong expected = op.has("expected_version")
        ? OptionalLong.of(number(op, "expected_version", 0,
        "\"expected_version\" must be a whole number >= 0 (a version from a read)")) : OptionalLong.empty();
    if (kind.equals("delete")) {
      if (expected.isPresent()) {
        batch.delete(key, expected.getAsLong());
      } else {
        batch.delete(key);
      }
      return;
    }
    // As POST /set's "ttl_seconds": >= 1, or absent (no expiry); the leader checks the upper bound.
    OptionalLong ttl = op.has("ttl_seconds") ? OptionalLong.of(number(op, "ttl_seconds", 1,
        "ttl_seconds must be a whole number of seconds >= 1"))
        : OptionalLong.empty();
    batch.put(key, ValueEncoding.decode(text(op, "value"), encoding(op)), expected, ttl);
  }

  private static String text(JsonObject op, String field) {
    JsonElement node = op.get(field);
    if (node == null) {
      throw new IllegalArgumentException("missing \"" + field + "\"");
    }
    if (!node.isJsonPrimitive() || !node.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a JSON string, got " + node);
    }
    String text = node.getAsString();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("\"" + field + "\" is not valid Unicode: unpaired surrogate at index " + i);
      }
    }
    return text;
  }

  /**
   * {@code op}'s {@code field}, a whole number of at least {@code min}; else refused with
   * {@code refusal} and what was sent (the words the gateway uses for the same field of POST /set).
   */
  private static long number(JsonObject op, String field, long min, String refusal) {
    JsonElement node = op.get(field);
    if (node.isJsonPrimitive() && node.getAsJsonPrimitive().isNumber()) {
      BigDecimal value = node.getAsJsonPrimitive().getAsBigDecimal();
      if (value.compareTo(BigDecimal.valueOf(min)) >= 0 && value.stripTrailingZeros().scale() <= 0
          && value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return value.longValueExact();
      }
    }
    throw new IllegalArgumentException(refusal + ", got " + node);
  }

  private static String encoding(JsonObject op) {
    return ValueEncoding.checked(op.has("encoding") ? text(op, "encoding") : null);
  }
}
