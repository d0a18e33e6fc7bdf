package io.kvdb.cli.json;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object being put together, its fields in the order they were first put (a field put
 * again keeps its place and takes the new value); {@link #toString()} is its JSON text on one line.
 * Values are those {@link JsonText#of} takes, and protobuf messages, written as the HTTP gateway
 * writes them: every field by its .proto name (see {@link #putFields}).
 */
public final class JsonObject {
  /** {@code "encoding"} of a value that is valid UTF-8, written as the string it is. */
  public static final String UTF8 = "utf8";
  /** {@code "encoding"} of any other value, written as standard base64. */
  public static final String BASE64 = "base64";

  private final Map<String, Object> fields = new LinkedHashMap<>();

  /** {@code name} with {@code value}; a message becomes an object of its fields. */
  public JsonObject put(String name, Object value) {
    fields.put(name, value instanceof Message message ? new JsonObject().putFields(message) : value);
    return this;
  }

  /**
   * {@code "value"} and {@code "encoding"}, as the gateway's /v1 routes write a value: the string
   * itself with {@value #UTF8} when the bytes are valid UTF-8, else their base64 with
   * {@value #BASE64}, so nothing is lost or garbled.
   */
  public JsonObject putValue(ByteString value) {
    return putValue("value", "encoding", value);
  }

  /** As {@link #putValue(ByteString)}, under other names (a watch's {@code prev_value}, {@code prev_encoding}). */
  public JsonObject putValue(String valueName, String encodingName, ByteString value) {
    if (value.isValidUtf8()) {
      return put(valueName, value.toStringUtf8()).put(encodingName, UTF8);
    }
    return put(valueName, Base64.getEncoder().encodeToString(value.toByteArray())).put(encodingName, BASE64);
  }

  /**
   * Every field of {@code message} by its .proto name, present or not (numbers as JSON numbers,
   * unsigned ones unsigned; enums by name; nested messages as objects), as the gateway's
   * {@code /cluster} and write replies hold them; a {@code bytes} field named {@code value} as
   * {@link #putValue} writes it, other bytes as base64. A field added to the reply shows up
   * without a change here.
   */
  public JsonObject putFields(Message message) {
    ProtoFields.put(this, message);
    return this;
  }

  /** Every field of {@code other}, in its order. */
  public JsonObject putAll(JsonObject other) {
    other.fields.forEach(this::put);
    return this;
  }

  /** The value of {@code name}, as put; null when absent. */
  public Object get(String name) {
    return fields.get(name);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("{");
    String comma = "";
    for (Map.Entry<String, Object> field : fields.entrySet()) {
      out.append(comma).append(JsonText.quote(field.getKey())).append(": ");
      JsonText.append(out, field.getValue());
      comma = ", ";
    }
    return out.append('}').toString();
  }
}
