package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import io.kvdb.api.v1.BatchRequest;
import io.kvdb.client.BatchJson;

/**
 * The body of {@code POST /batch} and {@code POST /v1/kv:batch}: the JSON form of {@link BatchJson}
 * (the one the CLI's {@code ./kv batch} reads too), sent as UTF-8 JSON like every body of the API;
 * anything else is a 400 that says what is wrong (and in which op).
 */
final class BatchBody {
  static final String SHAPE = "send " + BatchJson.SHAPE + " with Content-Type: application/json";

  private BatchBody() {}

  /** The batch request; throws a 400 {@code ApiException} naming the problem. */
  static BatchRequest parse(AggregatedHttpRequest request) {
    // The shared checks of a JSON body (type, charset, duplicate fields), then the batch's form.
    WriteBody.object(request, SHAPE);
    try {
      return BatchJson.parse(request.contentUtf8());
    } catch (IllegalArgumentException e) {
      throw badRequest(e.getMessage());
    }
  }
}
