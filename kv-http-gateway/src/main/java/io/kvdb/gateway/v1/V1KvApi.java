package io.kvdb.gateway.v1;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Put;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.client.KvClient;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.http.Json;
import io.kvdb.gateway.http.KeyListing;
import io.kvdb.gateway.http.KvHttpApi;
import io.kvdb.gateway.http.QueryArgs;
import io.kvdb.gateway.http.StaleHttp;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.stale.StaleReads;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The JSON API under {@code /v1}: one resource per key, {@code /v1/kv/{key}} (GET, PUT, DELETE),
 * and the collection {@code /v1/kv} (GET: a page of keys). Values are text where they are text
 * ({@link V1Json}). The routes are the original endpoints' in another shape: the same kv-client
 * calls with the caller's token, the same checks of keys, bodies and query parameters, the same
 * error mapping ({@link HttpErrors}) and status codes, the same stale reads from followers while
 * the leader is unreachable, with the same headers.
 */
@Description("The JSON API: /v1/kv/{key} (GET, PUT, DELETE) and /v1/kv (a page of keys). Values are text with "
    + "\"encoding\": \"utf8\" when they are UTF-8, else base64 with \"encoding\": \"base64\". Errors, status codes "
    + "and stale reads as the original endpoints'.")
public final class V1KvApi {
  /** The page size of {@code GET /v1/kv} without {@code ?limit=}: the leader's own default. */
  static final int DEFAULT_LIMIT = 100;
  private static final Set<String> LIST_PARAMS = Set.of("prefix", "after", "limit");

  private final LeaderClient leader;
  private final StaleReads stale;
  private final KeyListing listing;

  public V1KvApi(LeaderClient leader, StaleReads stale) {
    this.leader = leader;
    this.stale = stale;
    this.listing = new KeyListing(leader, stale);
  }

  @Get("/v1/kv/{key}")
  @Description("Reads a key (URL-encoded as one path segment). 200 {\"key\", \"value\", \"encoding\", \"version\"} "
      + "(and \"ttl_remaining_ms\" when the key has a TTL): "
      + "\"encoding\" is \"utf8\" when the value is text (a plain string) and \"base64\" for other bytes. "
      + "404 {\"error\": \"Key not found\"}. While the leader is unreachable, served stale from followers "
      + "(X-KV-Stale: true).")
  public CompletableFuture<HttpResponse> get(ServiceRequestContext ctx,
      @Param("key") @Description("the key, one percent-encoded path segment") String key) {
    QueryArgs.of(ctx, Set.of());
    String checked = KvHttpApi.checkedKey(key);
    return leader.forCaller(ctx).getEntryAsync(checked).thenApply(value -> value
        .map(entry -> Json.ok(json -> V1Json.writeItem(json, KeyValue.newBuilder().setKey(checked)
            .setValue(entry.getValue()).setVersion(entry.getVersion()).build(), entry.getTtlRemainingMs())))
        .orElseGet(HttpErrors::keyNotFound))
        .exceptionallyCompose(error -> stale.serves(error)
            ? StaleHttp.get(stale, ctx, checked, V1Json.ITEM, error, leader.address().toString())
            : CompletableFuture.failedFuture(error));
  }

  @Put("/v1/kv/{key}")
  @Description("Stores a value under a key (URL-encoded as one path segment). Body: {\"value\": \"...\"}, "
      + "optionally \"encoding\": \"utf8\" (the default) or \"base64\" for bytes, and \"expected_version\": N to write "
      + "only if the key's version is N (0: only if it does not exist; 409 {\"error\", \"current_version\"} otherwise), "
      + "\"ttl_seconds\": S to expire the key S seconds after the write. "
      + "Optional ?min_acks=N&timeout_ms=T waits for N followers to apply the write. 200 with where it went: key, "
      + "shard, seq, followers, acks, epoch, version.")
  public CompletableFuture<HttpResponse> put(ServiceRequestContext ctx,
      @Param("key") @Description("the key, one percent-encoded path segment") String key, HttpRequest request) {
    String checked = KvHttpApi.checkedKey(key);
    KvClient writer = KvHttpApi.writer(leader, ctx, QueryArgs.of(ctx, QueryArgs.WRITE_PARAMS));
    return request.aggregate()
        .thenApply(V1WriteBody::parse)
        .thenCompose(body -> (body.ttlSeconds().isPresent()
            ? writer.putAsync(checked, body.value(), body.expectedVersion(), body.ttlSeconds().getAsLong())
            : body.expectedVersion().isPresent()
            ? writer.putAsync(checked, body.value(), body.expectedVersion().getAsLong())
            : writer.putAsync(checked, body.value()))
            .thenApply(reply -> KvHttpApi.written(checked, reply, false)))
        .exceptionallyCompose(error -> KvHttpApi.refusedWhileLeaderDown(stale, leader, error));
  }

  @Delete("/v1/kv/{key}")
  @Description("Deletes a key (URL-encoded as one path segment). Optional ?min_acks=N&timeout_ms=T, and "
      + "?expected_version=N to delete only if the key's version is N (409 {\"error\", \"current_version\"} otherwise). "
      + "200 {\"key\", \"deleted\": true, \"shard\", \"seq\", ...}; 404 {\"error\": \"Key not found\"}.")
  public CompletableFuture<HttpResponse> delete(ServiceRequestContext ctx,
      @Param("key") @Description("the key, one percent-encoded path segment") String key) {
    String checked = KvHttpApi.checkedKey(key);
    QueryArgs args = QueryArgs.of(ctx, QueryArgs.DELETE_PARAMS);
    KvClient writer = KvHttpApi.writer(leader, ctx, args);
    OptionalLong expected = args.expectedVersion();
    return (expected.isPresent() ? writer.deleteAsync(checked, expected.getAsLong()) : writer.deleteAsync(checked))
        .thenApply(reply -> reply
        .map(where -> KvHttpApi.written(checked, where, true))
        .orElseGet(HttpErrors::keyNotFound))
        .exceptionallyCompose(error -> KvHttpApi.refusedWhileLeaderDown(stale, leader, error));
  }

  @Get("/v1/kv")
  @Description("One page of keys in key order: {\"items\": [{\"key\", \"value\", \"encoding\"}, ...], "
      + "\"has_more\": bool, \"next_after\": K or null}. ?prefix=P keeps keys starting with P; ?after=K starts "
      + "after key K (pass the previous page's next_after); ?limit=N pairs per page (default 100, capped by the "
      + "leader's --max-page-size).")
  public CompletableFuture<HttpResponse> list(ServiceRequestContext ctx) {
    QueryArgs args = QueryArgs.of(ctx, LIST_PARAMS);
    String prefix = args.string("prefix").orElse("");
    String after = args.string("after").orElse("");
    int limit = args.number("limit", 1, Integer.MAX_VALUE).orElse((long) DEFAULT_LIMIT).intValue();
    return listing.page(ctx, prefix, after, limit, V1Json.ITEM);
  }
}
