package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import io.kvdb.gateway.leader.LeaderClient;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /cluster}: the leader's Cluster.Status as JSON, for the web page and for scripts. Field
 * names are the .proto names (leader_id, followers[].lag_events, unplaced_shards...), every field is
 * present, numbers are JSON numbers. 503 while the leader is unreachable.
 */
public final class ClusterHttpApi {
  private final LeaderClient leader;

  public ClusterHttpApi(LeaderClient leader) {
    this.leader = leader;
  }

  @Get("/cluster")
  @Description("The leader's Cluster.Status: leader_id, epoch, shards, replication_factor, keys, followers "
      + "(id, address, alive, shards, applied_total, lag_events, lag_ms, progress, incoming_shards, drained), "
      + "unplaced_shards, under_replicated_shards (fewer than R caught-up copies), replication_lag (the last minute's count, p50_ms, p99_ms, p999_ms, max_ms, window_seconds). "
      + "503 when the leader is unreachable.")
  public CompletableFuture<HttpResponse> cluster(ServiceRequestContext ctx) {
    QueryArgs.of(ctx, Set.of());
    return leader.forCaller(ctx).statusAsync().thenApply(status -> Json.ok(json -> {
      json.writeStartObject();
      Json.writeFields(json, status);
      json.writeEndObject();
    }));
  }
}
