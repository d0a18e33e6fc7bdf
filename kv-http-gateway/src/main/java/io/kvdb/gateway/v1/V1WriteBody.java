package io.kvdb.gateway.v1;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import io.kvdb.gateway.http.WriteBody;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The body of {@code PUT /v1/kv/{key}}: {@code {"value": "...", "encoding": "utf8" | "base64",
 * "expected_version": N, "ttl_seconds": S}} (encoding defaults to utf8; without expected_version, no condition); the
 * key is the path's. Checked as {@code POST /set}'s body is, by
 * the same code: anything else is a 400 that says what is wrong.
 *
 * @param value the bytes to store
 * @param expectedVersion write only if the key's version is this one (0: only if it does not exist)
 * @param ttlSeconds the key expires this many seconds after the write; empty for no expiry
 */
record V1WriteBody(ByteString value, OptionalLong expectedVersion, OptionalLong ttlSeconds) {
  private static final Set<String> FIELDS = Set.of("value", "encoding", "expected_version", "ttl_seconds");
  static final String SHAPE = "send {\"value\": \"...\"} (and optionally \"encoding\": \"base64\") with "
      + "Content-Type: application/json";

  /** Parses and checks the request; throws a 400 {@code ApiException} naming the problem. */
  static V1WriteBody parse(AggregatedHttpRequest request) {
    JsonNode root = WriteBody.object(request, SHAPE);
    WriteBody.onlyFields(root, FIELDS,
        "value and (optional) encoding, expected_version and ttl_seconds; the key is the path's");
    return new V1WriteBody(WriteBody.value(root, SHAPE), WriteBody.expectedVersion(root), WriteBody.ttlSeconds(root));
  }
}
