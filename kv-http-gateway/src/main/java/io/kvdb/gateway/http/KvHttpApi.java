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
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.gateway.leader.LeaderCalls;
import io.kvdb.gateway.leader.LeaderClient;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The original HTTP API, kept for the Postman users: {@code POST /set}, {@code GET /get/:key},
 * {@code DELETE /delete/:key}. Each request becomes one call to the leader; its reply or error
 * status becomes the HTTP answer (see {@code HttpErrors}). Keys in paths are one URL-encoded path
 * segment, so any key a user may type round-trips.
 */
public final class KvHttpApi {
  private final LeaderClient leader;

  public KvHttpApi(LeaderClient leader) {
    this.leader = leader;
  }

  @Post("/set")
  @Description("Stores a value. Body: {\"key\": \"...\", \"value\": \"...\"} (add \"encoding\": \"base64\" for "
      + "binary values). Optional ?min_acks=N&timeout_ms=T waits for N followers to apply the write. "
      + "Replies with where it went: key, shard, seq, followers, acks, epoch.")
  public CompletableFuture<HttpResponse> set(ServiceRequestContext ctx, HttpRequest request) {
    QueryArgs args = QueryArgs.of(ctx, QueryArgs.WRITE_PARAMS);
    PutRequest.Builder put = PutRequest.newBuilder().setWait(args.waitForAcks());
    allowWait(ctx, put.getWait());
    LeaderCalls calls = leader.forCaller(ctx);
    return request.aggregate()
        .thenApply(WriteBody::parse)
        .thenCompose(body -> calls.put(put.setKey(body.key()).setValue(body.value()).build())
            .thenApply(reply -> written(body.key(), reply, false)));
  }

  @Get("/get/:key")
  @Description("Reads a key (URL-encode it as one path segment). 200 {\"key\": ..., \"value\": ...}; values "
      + "that are not UTF-8 come as base64 with \"encoding\": \"base64\". 404 {\"error\": \"Key not found\"}.")
  public CompletableFuture<HttpResponse> get(ServiceRequestContext ctx, @Param("key") String key) {
    QueryArgs.of(ctx, Set.of());
    return read(leader.forCaller(ctx), checkedKey(key));
  }

  @Delete("/delete/:key")
  @Description("Deletes a key (URL-encoded as one path segment). Optional ?min_acks=N&timeout_ms=T. "
      + "200 with where it was deleted; 404 {\"error\": \"Key not found\"} when it does not exist.")
  public CompletableFuture<HttpResponse> delete(ServiceRequestContext ctx, @Param("key") String key) {
    return remove(ctx, checkedKey(key), QueryArgs.of(ctx, QueryArgs.WRITE_PARAMS));
  }

  private static CompletableFuture<HttpResponse> read(LeaderCalls calls, String key) {
    return calls.get(GetRequest.newBuilder().setKey(key).build())
        .thenApply(reply -> Json.ok(json -> Json.writePair(json, reply.getKey(), reply.getValue())));
  }

  private CompletableFuture<HttpResponse> remove(ServiceRequestContext ctx, String key, QueryArgs args) {
    DeleteRequest delete = DeleteRequest.newBuilder().setKey(key).setWait(args.waitForAcks()).build();
    allowWait(ctx, delete.getWait());
    return leader.forCaller(ctx).delete(delete).thenApply(reply -> written(key, reply, true));
  }

  /** A write that waits for acks may take longer than the server's request timeout. */
  private void allowWait(ServiceRequestContext ctx, WaitForAcks wait) {
    if (wait.getTimeoutMs() != 0) {
      ctx.setRequestTimeout(TimeoutMode.SET_FROM_NOW, leader.deadlineFor(wait).plusSeconds(1));
    }
  }

  /** {@code {"key": ..., ["deleted": true,] "shard": ..., "seq": ..., "followers": [...], ...}}. */
  private static HttpResponse written(String key, WriteResponse reply, boolean deleted) {
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
   * key on would read or delete a different key, so it is refused (see the README).
   */
  private static String checkedKey(String key) {
    if (key.indexOf('\uFFFD') >= 0) {
      throw badRequest("key in the URL is not valid percent-encoded UTF-8 (or contains U+FFFD, which URLs cannot carry here)");
    }
    return key;
  }
}
