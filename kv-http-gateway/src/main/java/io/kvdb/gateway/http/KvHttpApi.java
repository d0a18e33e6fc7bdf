package io.kvdb.gateway.http;

import static io.kvdb.gateway.errors.ApiException.badRequest;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.KvClient;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.stale.StaleReads;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The original HTTP API, kept for the Postman users: {@code POST /set}, {@code GET /get/:key},
 * {@code DELETE /delete/:key}. Each request becomes one call of the gateway's {@code KvClient},
 * with the caller's token; its reply, or its {@code KvException}, becomes the HTTP answer (see
 * {@link HttpErrors}). A missing key is the original app's 404. While the leader is unreachable, a
 * get is served from followers ({@link StaleHttp}) and a write is refused with a 503 that says so.
 * Keys in paths are one URL-encoded path segment, so any key a user may type round-trips.
 */
public final class KvHttpApi {
  private final LeaderClient leader;
  private final StaleReads stale;

  public KvHttpApi(LeaderClient leader, StaleReads stale) {
    this.leader = leader;
    this.stale = stale;
  }

  @Post("/set")
  @Description("Stores a value. Body: {\"key\": \"...\", \"value\": \"...\"} (add \"encoding\": \"base64\" for "
      + "binary values, \"expected_version\": N to write only if the key's version is N, 0: only if it does not "
      + "exist; 409 {\"error\": ..., \"current_version\": N} otherwise; \"ttl_seconds\": S to expire the key S "
      + "seconds later). Optional ?min_acks=N&timeout_ms=T waits for "
      + "N followers to apply the write. Replies with where it went: key, shard, seq, followers, acks, epoch, version.")
  public CompletableFuture<HttpResponse> set(ServiceRequestContext ctx, HttpRequest request) {
    KvClient writer = writer(leader, ctx, QueryArgs.of(ctx, QueryArgs.WRITE_PARAMS));
    return request.aggregate()
        .thenApply(WriteBody::parse)
        .thenCompose(body -> (body.ttlSeconds().isPresent()
            ? writer.putAsync(body.key(), body.value(), body.expectedVersion(), body.ttlSeconds().getAsLong())
            : body.expectedVersion().isPresent()
            ? writer.putAsync(body.key(), body.value(), body.expectedVersion().getAsLong())
            : writer.putAsync(body.key(), body.value()))
            .thenApply(reply -> written(body.key(), reply, false)))
        .exceptionallyCompose(error -> refusedWhileLeaderDown(stale, leader, error));
  }

  @Get("/get/:key")
  @Description("Reads a key (URL-encode it as one path segment). 200 {\"key\": ..., \"value\": ..., \"version\": "
      + "...} (and \"ttl_remaining_ms\" when the key has a TTL); values "
      + "that are not UTF-8 come as base64 with \"encoding\": \"base64\". 404 {\"error\": \"Key not found\"}.")
  public CompletableFuture<HttpResponse> get(ServiceRequestContext ctx, @Param("key") String key) {
    QueryArgs.of(ctx, Set.of());
    String checked = checkedKey(key);
    return leader.forCaller(ctx).getEntryAsync(checked).thenApply(value -> value
        .map(entry -> Json.ok(json -> Json.writePair(json, checked, entry.getValue(), entry.getVersion(),
            entry.getTtlRemainingMs())))
        .orElseGet(HttpErrors::keyNotFound))
        .exceptionallyCompose(error -> stale.serves(error)
            ? StaleHttp.get(stale, ctx, checked, Json.ORIGINAL_ITEM, error, leader.address().toString())
            : CompletableFuture.failedFuture(error));
  }

  @Delete("/delete/:key")
  @Description("Deletes a key (URL-encoded as one path segment). Optional ?min_acks=N&timeout_ms=T, and "
      + "?expected_version=N to delete only if the key's version is N (409 {\"error\": ..., \"current_version\": "
      + "N} otherwise). 200 with where it was deleted; 404 {\"error\": \"Key not found\"} when it does not exist.")
  public CompletableFuture<HttpResponse> delete(ServiceRequestContext ctx, @Param("key") String key) {
    String checked = checkedKey(key);
    QueryArgs args = QueryArgs.of(ctx, QueryArgs.DELETE_PARAMS);
    KvClient writer = writer(leader, ctx, args);
    OptionalLong expected = args.expectedVersion();
    return (expected.isPresent() ? writer.deleteAsync(checked, expected.getAsLong()) : writer.deleteAsync(checked))
        .thenApply(reply -> reply
        .map(where -> written(checked, where, true))
        .orElseGet(HttpErrors::keyNotFound))
        .exceptionallyCompose(error -> refusedWhileLeaderDown(stale, leader, error));
  }

  /**
   * A write that found the leader unreachable while reads are served from followers: 503 saying
   * both (followers take no writes). Any other failure goes on as it is. Shared with {@code /v1}.
   */
  public static CompletableFuture<HttpResponse> refusedWhileLeaderDown(StaleReads stale, LeaderClient leader,
      Throwable error) {
    if (stale.serves(error)) {
      return CompletableFuture.completedFuture(HttpErrors.leaderDownForWrites(error, leader.address().toString()));
    }
    return CompletableFuture.failedFuture(error);
  }

  /**
   * The caller's client, its writes waiting for acks as {@code ?min_acks=N&timeout_ms=T} asks. A
   * write that waits may take longer than the server's request timeout, so the request gets as
   * long as the write's deadline, and a little more for the answer to go out. Shared with {@code /v1}.
   */
  public static KvClient writer(LeaderClient leader, ServiceRequestContext ctx, QueryArgs args) {
    KvClient writer = leader.forCaller(ctx).withAcks(args.minAcks(), args.ackTimeout());
    Duration deadline = writer.options().writeDeadline();
    if (deadline.compareTo(leader.timeout()) > 0) {
      ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, deadline.plusSeconds(1));
    }
    return writer;
  }

  /**
   * {@code {"key": ..., ["deleted": true,] "shard": ..., "seq": ..., "followers": [...], ...}}: every
   * field of the write's reply. Shared with {@code /v1}.
   */
  public static HttpResponse written(String key, WriteResponse reply, boolean deleted) {
    return Json.ok(json -> {
      json.writeStartObject();
      json.writeStringField("key", key);
      if (deleted) {
        json.writeBooleanField("deleted", true);
      }
      Json.writeFields(json, reply);
      json.writeEndObject();
    });
  }

  /**
   * A key from a URL. Armeria decodes escapes that are not UTF-8 (%FF) to U+FFFD; sending such a
   * key on would read or delete a different key, so it is refused (see the README). Shared with
   * {@code /v1}.
   */
  public static String checkedKey(String key) {
    if (key.indexOf('\uFFFD') >= 0) {
      throw badRequest("key in the URL is not valid percent-encoded UTF-8 (or contains U+FFFD, which URLs cannot carry here)");
    }
    return key;
  }
}
