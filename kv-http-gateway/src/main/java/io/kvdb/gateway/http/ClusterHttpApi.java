package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.kvdb.gateway.errors.HttpErrors;
import io.kvdb.gateway.leader.LeaderClient;
import io.kvdb.gateway.stale.StaleReads;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /cluster}: the leader's Cluster.Status as JSON, for the web page and for scripts. Field
 * names are the .proto names (leader_id, followers[].lag_events, unplaced_shards...), every field is
 * present, numbers are JSON numbers. 503 while the leader is unreachable, with {@code "stale_reads":
 * true} when reads are then served from followers. Each status it shows is also the gateway's new
 * shard map for those reads.
 */
public final class ClusterHttpApi {
  private final LeaderClient leader;
  private final StaleReads stale;

  public ClusterHttpApi(LeaderClient leader, StaleReads stale) {
    this.leader = leader;
    this.stale = stale;
  }

  @Get("/cluster")
  @Description("The leader's Cluster.Status: leader_id, epoch, shards, replication_factor, keys, followers "
      + "(id, address, alive, shards, applied_total, lag_events, lag_ms, progress, incoming_shards, drained), "
      + "unplaced_shards, under_replicated_shards (fewer than R caught-up copies), missing_shards (no copy when the leader was rebuilt: writes refused), replication_lag (the last minute's count, p50_ms, p99_ms, p999_ms, max_ms, window_seconds). "
      + "503 when the leader is unreachable.")
  public CompletableFuture<HttpResponse> cluster(ServiceRequestContext ctx) {
    QueryArgs.of(ctx, Set.of());
    return leader.forCaller(ctx).statusAsync().thenApply(status -> {
      stale.noteStatus(status);
      return Json.ok(json -> {
        json.writeStartObject();
        Json.writeFields(json, status);
        json.writeEndObject();
      });
    }).exceptionallyCompose(error -> stale.serves(error)
        ? CompletableFuture.completedFuture(servingStale(error))
        : CompletableFuture.failedFuture(error));
  }

  /**
   * The 503 of an unreachable leader while reads are served from followers, so that the web page
   * can say so: {@code {"error": ..., "stale_reads": true, "followers": [addresses]}}.
   */
  private HttpResponse servingStale(Throwable error) {
    byte[] body = Json.bytes(json -> {
      json.writeStartObject();
      json.writeStringField("error", HttpErrors.unreachableMessage(error, leader.address().toString()));
      json.writeBooleanField("stale_reads", true);
      json.writeArrayFieldStart("followers");
      for (String follower : stale.followers()) {
        json.writeString(follower);
      }
      json.writeEndArray();
      json.writeEndObject();
    });
    return HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON_UTF_8, HttpData.wrap(body));
  }
}
