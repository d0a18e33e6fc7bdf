package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Post;
import io.kvdb.api.v1.BatchResponse;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.stale.StaleReads;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Atomic batches over HTTP: {@code POST /batch} and its {@code /v1} name {@code POST /v1/kv:batch},
 * the same body ({@link BatchBody}: values as every JSON body writes them, {@code ValueEncoding}) and
 * reply. One call of the gateway's {@code KvClient} with the caller's token; errors as every route's
 * ({@link HttpErrors}): a failed condition is 409 {@code {"error", "failed_index", "current_version"}},
 * a batch over the leader's limits 413, a bad body 400, and 503 while the leader is down (as every write).
 */
public final class BatchHttpApi {
  private static final String DESCRIPTION = "Applies puts and deletes atomically: all or nothing. Body: {\"ops\": "
      + "[{\"op\": \"put\", \"key\": \"...\", \"value\": \"...\", \"encoding\": \"base64\" (optional), "
      + "\"ttl_seconds\": N, \"expected_version\": N}, {\"op\": \"delete\", \"key\": \"...\", \"expected_version\": N}]}. "
      + "200 {\"revision\", \"epoch\", \"results\": [{\"shard\", \"seq\", \"version\", \"found\"}]}; 409 {\"error\", "
      + "\"failed_index\", \"current_version\"} when a condition failed (nothing written); 413 over --max-batch-ops "
      + "or --max-batch-bytes; 400 for a key that appears twice.";

  private final LeaderClient leader;
  private final StaleReads stale;

  public BatchHttpApi(LeaderClient leader, StaleReads stale) {
    this.leader = leader;
    this.stale = stale;
  }

  @Post("/batch")
  @Description(DESCRIPTION)
  public CompletableFuture<HttpResponse> batch(ServiceRequestContext ctx, HttpRequest request) {
    QueryArgs.of(ctx, Set.of());
    return request.aggregate()
        .thenApply(BatchBody::parse)
        .thenCompose(body -> leader.forCaller(ctx).batchAsync(body))
        .thenApply(BatchHttpApi::committed)
        .exceptionallyCompose(error -> KvHttpApi.refusedWhileLeaderDown(stale, leader, error));
  }

  @Post("exact:/v1/kv:batch")
  @Description(DESCRIPTION)
  public CompletableFuture<HttpResponse> v1Batch(ServiceRequestContext ctx, HttpRequest request) {
    return batch(ctx, request);
  }

  private static HttpResponse committed(BatchResponse reply) {
    return Json.ok(json -> {
      json.writeStartObject();
      Json.writeFields(json, reply);
      json.writeEndObject();
    });
  }
}
