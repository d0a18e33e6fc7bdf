package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.client.ShardUnavailableException;
import io.kvdb.client.StaleValue;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.stale.StaleReads;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The answers of reads served from followers while the leader is unreachable: {@code GET /get/:key}
 * here, {@code GET /all} in {@link StaleListingHttp}. Every such answer carries
 * {@code X-KV-Stale: true}; a key's also {@code X-KV-Applied-Seq} (the seq of the copy read, from
 * the same read as the value), {@code X-KV-Shard} and {@code X-KV-Follower}. The {@code /v1} routes
 * answer through it too, in their own item form.
 */
public final class StaleHttp {
  static final String STALE = "x-kv-stale";
  static final String APPLIED_SEQ = "x-kv-applied-seq";
  static final String SHARD = "x-kv-shard";
  static final String FOLLOWER = "x-kv-follower";
  static final String MISSING_SHARDS = "x-kv-missing-shards";

  private StaleHttp() {}

  /**
   * {@code GET /get/:key} from the freshest reachable holder of the key's shard, the pair written in
   * {@code form}.
   */
  public static CompletableFuture<HttpResponse> get(StaleReads stale, ServiceRequestContext ctx, String key,
      Json.ItemForm form, Throwable leaderError, String leader) {
    return stale.forCaller(ctx).thenCompose(reader -> reader.getAsync(key))
        .handle((value, error) -> error == null ? found(value, form) : failed(error, leaderError, leader));
  }

  private static HttpResponse found(StaleValue value, Json.ItemForm form) {
    ResponseHeadersBuilder headers = ResponseHeaders.builder(value.found() ? HttpStatus.OK : HttpStatus.NOT_FOUND)
        .contentType(MediaType.JSON_UTF_8)
        .set(STALE, "true")
        .set(APPLIED_SEQ, Long.toString(value.appliedSeq()))
        .set(SHARD, Integer.toString(value.shard()))
        .set(FOLLOWER, value.follower());
    byte[] body = value.found()
        ? Json.bytes(json -> form.write(json, KeyValue.newBuilder().setKey(value.key())
            .setValue(value.value().get()).setVersion(value.version()).build()))
        : HttpErrors.body(HttpErrors.KEY_NOT_FOUND);
    return HttpResponse.of(headers.build(), HttpData.wrap(body));
  }

  /**
   * A stale read that found no copy: 503 naming the shard when no holder answered, else (no
   * follower answered at all) 503 saying so after the leader's own error.
   */
  static HttpResponse failed(Throwable error, Throwable leaderError, String leader) {
    Throwable cause = Exceptions.peel(error);
    String message = HttpErrors.unreachableMessage(leaderError, leader) + "; "
        + (cause.getMessage() != null ? cause.getMessage() : cause.toString());
    if (cause instanceof ShardUnavailableException shard) {
      return unavailable(message, shard.shard());
    }
    return HttpErrors.json(HttpStatus.SERVICE_UNAVAILABLE, message);
  }

  /** 503 {@code {"error": message, "shard": shard}}, marked stale. */
  static HttpResponse unavailable(String message, int shard) {
    byte[] body = Json.bytes(json -> {
      json.writeStartObject();
      json.writeStringField("error", message);
      json.writeNumberField("shard", shard);
      json.writeEndObject();
    });
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.JSON_UTF_8)
        .set(STALE, "true").build(), HttpData.wrap(body));
  }

  /** {@code 3,17}: the header form of a list of shards. */
  static String shardList(List<Integer> shards) {
    return shards.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
