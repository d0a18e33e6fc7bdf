package io.kvdb.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.kvdb.api.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * How the HTTP API writes JSON. Values are strings when they are valid UTF-8; any other bytes are
 * written as standard base64 with {@code "encoding": "base64"} beside them, so nothing is lost or
 * garbled. Protobuf replies are written with their .proto field names and every field present
 * (numbers as JSON numbers, unlike proto3's JSON mapping, which quotes 64-bit integers). Shared by
 * the original endpoints and the {@code /v1} routes ({@code io.kvdb.gateway.v1}).
 */
public final class Json {
  /** Writes characters outside the BMP (emoji...) as UTF-8, not as escaped surrogate pairs. */
  static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /** Writes JSON into a generator; may throw IOException (only from a broken generator). */
  @FunctionalInterface
  public interface Writer {
    void write(JsonGenerator json) throws IOException;
  }

  private Json() {}

  /** The bytes {@code writer} produces. */
  public static byte[] bytes(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      writer.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A 200 response with the JSON {@code writer} produces. */
  public static HttpResponse ok(Writer writer) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, HttpData.wrap(bytes(writer)));
  }

  /** {@code "value": ...} and, for bytes that are not UTF-8, {@code "encoding": "base64"}. */
  static void writeValue(JsonGenerator json, ByteString value) throws IOException {
    if (value.isValidUtf8()) {
      json.writeStringField("value", value.toStringUtf8());
    } else {
      json.writeStringField("value", Base64.getEncoder().encodeToString(value.toByteArray()));
      json.writeStringField("encoding", "base64");
    }
  }

  /** {@code {"key": ..., "value": ..., "version": ...}} (plus the encoding when needed). */
  static void writePair(JsonGenerator json, String key, ByteString value, long version) throws IOException {
    writePair(json, key, value, version, 0);
  }

  /** As above, with {@code "ttl_remaining_ms"} when the key has a TTL ({@code ttlRemainingMs} > 0). */
  static void writePair(JsonGenerator json, String key, ByteString value, long version, long ttlRemainingMs)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("key", key);
    writeValue(json, value);
    json.writeNumberField("version", version);
    if (ttlRemainingMs > 0) {
      json.writeNumberField("ttl_remaining_ms", ttlRemainingMs);
    }
    json.writeEndObject();
  }

  /**
   * How a route writes one key and its value as a JSON object: {@link #ORIGINAL_ITEM} for
   * {@code /get} and {@code /all}, the {@code /v1} form for its routes. It gets the whole item, so
   * that fields the contract adds to it (such as a version) reach the form that shows them.
   */
  @FunctionalInterface
  public interface ItemForm {
    void write(JsonGenerator json, KeyValue item) throws IOException;
  }

  /** The original endpoints' item: {@code {"key": ..., "value": ..., "version": ...}} (plus the encoding when needed). */
  public static final ItemForm ORIGINAL_ITEM =
      (json, item) -> writePair(json, item.getKey(), item.getValue(), item.getVersion());

  /** Every field of {@code message}, by its .proto name, into the object being written. */
  public static void writeFields(JsonGenerator json, Message message) throws IOException {
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      json.writeFieldName(field.getName());
      if (field.isRepeated()) {
        json.writeStartArray();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          writeSingle(json, field, message.getRepeatedField(field, i));
        }
        json.writeEndArray();
      } else {
        writeSingle(json, field, message.getField(field));
      }
    }
  }

  /**
   * The fields of {@code message} that are set (proto3: not at their default; repeated: not empty),
   * by their .proto names, except those named in {@code skip}: absent fields are left out.
   */
  public static void writeSetFields(JsonGenerator json, Message message, Set<String> skip)
      throws IOException {
    for (var entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      if (skip.contains(field.getName())) {
        continue;
      }
      json.writeFieldName(field.getName());
      if (field.isRepeated()) {
        json.writeStartArray();
        for (Object value : (List<?>) entry.getValue()) {
          writeSingle(json, field, value);
        }
        json.writeEndArray();
      } else {
        writeSingle(json, field, entry.getValue());
      }
    }
  }

  private static void writeSingle(JsonGenerator json, FieldDescriptor field, Object value) throws IOException {
    switch (field.getType()) {
      case UINT32, FIXED32 -> json.writeNumber(Integer.toUnsignedLong((Integer) value));
      case UINT64, FIXED64 -> {
        long v = (Long) value;
        if (v >= 0) {
          json.writeNumber(v);
        } else {
          json.writeNumber(new BigInteger(Long.toUnsignedString(v)));
        }
      }
      case INT32, SINT32, SFIXED32 -> json.writeNumber((Integer) value);
      case INT64, SINT64, SFIXED64 -> json.writeNumber((Long) value);
      case FLOAT -> json.writeNumber((Float) value);
      case DOUBLE -> json.writeNumber((Double) value);
      case BOOL -> json.writeBoolean((Boolean) value);
      case STRING -> json.writeString((String) value);
      case BYTES -> json.writeString(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case ENUM -> json.writeString(((EnumValueDescriptor) value).getName());
      case MESSAGE, GROUP -> {
        json.writeStartObject();
        writeFields(json, (Message) value);
        json.writeEndObject();
      }
    }
  }
}
