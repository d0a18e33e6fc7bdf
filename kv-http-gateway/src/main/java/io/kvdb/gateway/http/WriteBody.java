package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.MediaType;
import io.kvdb.client.ValueEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The body of {@code POST /set}: {@code {"key": "...", "value": "..."}}, optionally with
 * {@code "encoding": "base64"} to store bytes that are not text (the same form GET returns them in).
 * Anything else is a 400 that says what is wrong. The {@code /v1} routes check their bodies with the
 * same pieces ({@link #object}, {@link #onlyFields}, {@link #value}).
 *
 * @param key the key, non-empty
 * @param value the bytes to store: the value's UTF-8, or its base64-decoded bytes
 * @param expectedVersion {@code "expected_version"}: write only if the key's version is this one
 *     (0: only if it does not exist); empty for no condition
 * @param ttlSeconds {@code "ttl_seconds"}: the key expires this many seconds after the write (the
 *     leader checks the bounds); empty for no expiry
 */
public record WriteBody(String key, ByteString value, OptionalLong expectedVersion, OptionalLong ttlSeconds) {
  private static final ObjectMapper JSON = JsonMapper.builder()
      // {"key": "a", "key": "b"} is ambiguous: refuse it rather than pick one.
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final Set<String> FIELDS = Set.of("key", "value", "encoding", "expected_version", "ttl_seconds");
  static final String SHAPE = "send {\"key\": \"...\", \"value\": \"...\"} with Content-Type: application/json";

  /** Parses and checks the request; throws a 400 {@code ApiException} naming the problem. */
  static WriteBody parse(AggregatedHttpRequest request) {
    JsonNode root = object(request, SHAPE);
    onlyFields(root, FIELDS, "key, value and (optional) encoding, expected_version and ttl_seconds");
    String key = text(root, "key", SHAPE);
    if (key.isEmpty()) {
      throw badRequest("key is empty; keys are non-empty strings");
    }
    return new WriteBody(key, value(root, SHAPE), expectedVersion(root), ttlSeconds(root));
  }

  /**
   * The JSON object of a write's body, checked as every write body is (Content-Type, UTF-8, not
   * empty, well-formed, no duplicate field, an object); {@code shape} says in a 400 what to send.
   */
  public static JsonNode object(AggregatedHttpRequest request, String shape) {
    MediaType type = request.contentType();
    if (type == null || !type.isJson()) {
      throw badRequest("Content-Type must be application/json, got " + (type == null ? "none" : "'" + type + "'")
          + "; " + shape);
    }
    if (type.charset() != null && !type.charset().equals(StandardCharsets.UTF_8)) {
      throw badRequest("JSON must be UTF-8, got charset " + type.charset().name());
    }
    if (request.content().isEmpty()) {
      throw badRequest("request body is empty; " + shape);
    }
    JsonNode root;
    try {
      root = JSON.readTree(request.content().array());
    } catch (JsonProcessingException e) {
      throw badRequest("malformed JSON" + where(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw badRequest("unreadable body: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw badRequest("body must be a JSON object; " + shape);
    }
    return root;
  }

  /** A 400 for a field not in {@code fields}; {@code names} lists them for the message. */
  public static void onlyFields(JsonNode root, Set<String> fields, String names) {
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!fields.contains(name)) {
        throw badRequest("unknown field '" + name + "'; the fields are " + names);
      }
    }
  }

  /** The bytes of {@code "value"} as its {@code "encoding"} (utf8, the default, or base64) says. */
  public static ByteString value(JsonNode root, String shape) {
    return value(text(root, "value", shape), encoding(root));
  }

  private static String text(JsonNode root, String field, String shape) {
    JsonNode node = root.get(field);
    if (node == null) {
      throw badRequest("missing \"" + field + "\"; " + shape);
    }
    if (!node.isTextual()) {
      throw badRequest("\"" + field + "\" must be a JSON string, got " + kind(node));
    }
    String text = node.textValue();
    int bad = firstUnpairedSurrogate(text);
    if (bad >= 0) {
      throw badRequest("\"" + field + "\" is not valid Unicode: unpaired surrogate \\u"
          + Integer.toHexString(text.charAt(bad)).toUpperCase() + " at index " + bad);
    }
    return text;
  }

  /** {@code "expected_version"}: a whole number >= 0, or absent (no condition). */
  public static OptionalLong expectedVersion(JsonNode root) {
    JsonNode node = root.get("expected_version");
    if (node == null) {
      return OptionalLong.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
      throw badRequest("\"expected_version\" must be a whole number >= 0 (a version from a read), got " + node);
    }
    return OptionalLong.of(node.asLong());
  }

  /** {@code "ttl_seconds"}: a whole number >= 1 (the leader checks the upper bound), or absent (no expiry). */
  public static OptionalLong ttlSeconds(JsonNode root) {
    JsonNode node = root.get("ttl_seconds");
    if (node == null) {
      return OptionalLong.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
      throw badRequest("ttl_seconds must be a whole number of seconds >= 1, got " + node);
    }
    return OptionalLong.of(node.asLong());
  }

  private static String encoding(JsonNode root) {
    JsonNode node = root.get("encoding");
    try {
      // Not a string: as an unknown encoding.
      return ValueEncoding.checked(node == null ? null : node.isTextual() ? node.textValue() : "");
    } catch (IllegalArgumentException e) {
      throw badRequest(e.getMessage());
    }
  }

  private static ByteString value(String text, String encoding) {
    try {
      return ValueEncoding.decode(text, encoding);
    } catch (IllegalArgumentException e) {
      throw badRequest(e.getMessage());
    }
  }

  /** Index of the first lone surrogate: Java would turn it into '?' on the way to UTF-8. */
  static int firstUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> node.getNodeType().name().toLowerCase();
    };
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}
