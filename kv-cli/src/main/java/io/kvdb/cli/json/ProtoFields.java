package io.kvdb.cli.json;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A protobuf message's fields as JSON values, by the rules of the gateway's JSON (kv-http-gateway's
 * {@code Json.writeFields}): so that {@code kv --json status} and {@code GET /cluster}, or
 * {@code kv --json put} and {@code POST /set}, name and write their fields alike.
 */
final class ProtoFields {
  private ProtoFields() {}

  static void put(JsonObject object, Message message) {
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          items.add(single(field, message.getRepeatedField(field, i)));
        }
        object.put(field.getName(), items);
      } else if (field.getType() == FieldDescriptor.Type.BYTES && field.getName().equals("value")) {
        object.putValue((ByteString) message.getField(field));
      } else {
        object.put(field.getName(), single(field, message.getField(field)));
      }
    }
  }

  private static Object single(FieldDescriptor field, Object value) {
    return switch (field.getType()) {
      case UINT32, FIXED32 -> Integer.toUnsignedLong((Integer) value);
      case UINT64, FIXED64 -> (Long) value >= 0 ? value : new BigInteger(Long.toUnsignedString((Long) value));
      case BYTES -> Base64.getEncoder().encodeToString(((ByteString) value).toByteArray());
      case ENUM -> ((EnumValueDescriptor) value).getName();
      case MESSAGE, GROUP -> new JsonObject().putFields((Message) value);
      default -> value; // the other numbers, booleans and strings as they are
    };
  }
}
