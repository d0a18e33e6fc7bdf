package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.client.KvBatch;
import io.kvdb.gateway.errors.ApiException;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The body of {@code POST /batch} and {@code POST /v1/kv:batch}: {@code {"ops": [{"op": "put",
 * "key": "...", "value": "...", "encoding": "base64", "ttl_seconds": N, "expected_version": N},
 * {"op": "delete", "key": "...", "expected_version": N}]}}, values UTF-8 unless the op says
 * {@code "encoding": "base64"}. Checked here for form only (a 400 naming the op); the limits and a
 * key appearing twice are the leader's to refuse.
 */
final class BatchBody {
  static final String SHAPE = "send {\"ops\": [{\"op\": \"put\", \"key\": \"...\", \"value\": \"...\"},"
      + " {\"op\": \"delete\", \"key\": \"...\"}]} with Content-Type: application/json";
  private static final Set<String> PUT_FIELDS = Set.of("op", "key", "value", "encoding", "ttl_seconds",
      "expected_version");
  private static final Set<String> DELETE_FIELDS = Set.of("op", "key", "expected_version");

  private BatchBody() {}

  /** The batch request; throws a 400 {@code ApiException} naming the problem (and the op's index). */
  static BatchRequest parse(AggregatedHttpRequest request) {
    JsonNode root = WriteBody.readObject(request, SHAPE);
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("ops")) {
        throw badRequest("unknown field '" + name + "'; the body has one field, ops");
      }
    }
    JsonNode ops = root.get("ops");
    if (ops == null || !ops.isArray()) {
      throw badRequest("\"ops\" must be a JSON array; " + SHAPE);
    }
    KvBatch batch = KvBatch.builder();
    for (int i = 0; i < ops.size(); i++) {
      try {
        add(batch, ops.get(i));
      } catch (ApiException e) {
        throw badRequest("ops[" + i + "]: " + e.getMessage());
      }
    }
    return batch.build();
  }

  private static void add(KvBatch batch, JsonNode op) {
    if (!op.isObject()) {
      throw badRequest("must be a JSON object, got " + WriteBody.kind(op));
    }
    String kind = required(op, "op");
    boolean put = kind.equals("put");
    if (!put && !kind.equals("delete")) {
      throw badRequest("\"op\" must be \"put\" or \"delete\", got \"" + kind + "\"");
    }
    Set<String> fields = put ? PUT_FIELDS : DELETE_FIELDS;
    for (Iterator<String> names = op.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw badRequest("unknown field '" + name + "' in a " + kind + "; its fields are " + String.join(", ",
            put ? new String[] {"op", "key", "value", "encoding", "ttl_seconds", "expected_version"}
                : new String[] {"op", "key", "expected_version"}));
      }
    }
    String key = required(op, "key");
    if (key.isEmpty()) {
      throw badRequest("key is empty; keys are non-empty strings");
    }
    OptionalLong expected = WriteBody.expectedVersion(op);
    if (!put) {
      if (expected.isPresent()) {
        batch.delete(key, expected.getAsLong());
      } else {
        batch.delete(key);
      }
      return;
    }
    var value = WriteBody.value(required(op, "value"), WriteBody.encoding(op));
    int ttl = ttlSeconds(op);
    batch.put(key, value, expected, ttl);
  }

  private static String required(JsonNode op, String field) {
    if (op.get(field) == null) {
      throw badRequest("missing \"" + field + "\"");
    }
    return WriteBody.text(op, field);
  }

  private static int ttlSeconds(JsonNode op) {
    JsonNode node = op.get("ttl_seconds");
    if (node == null) {
      return 0;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
      throw badRequest("\"ttl_seconds\" must be a whole number >= 0 (0: no expiry), got " + node);
    }
    return node.asInt();
  }
}
