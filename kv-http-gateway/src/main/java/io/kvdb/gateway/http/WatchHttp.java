package io.kvdb.gateway.http;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Default;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Header;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Path;
import com.linecorp.armeria.server.streaming.ServerSentEvents;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.gateway.leader.LeaderClient;
import java.util.Optional;

/**
 * {@code GET /watch} and {@code /v1/watch}: KV.Watch as Server-Sent Events ({@code put},
 * {@code delete}, {@code progress}, {@code error}; one JSON data line each; the revision as id, so a
 * browser's Last-Event-ID resumes; the first event is a progress with the revision the stream
 * starts from). Each stream is an {@link SseWatch}: one event in the gateway at most, no thread.
 */
public final class WatchHttp {
  private final LeaderClient leader;

  public WatchHttp(LeaderClient leader) {
    this.leader = leader;
  }

  @Get
  @Path("/watch")
  @Path("/v1/watch")
  @Description("Server-Sent Events of the changes under prefix (or of one key) after revision from;"
      + " prev=true adds each change's previous value and version")
  public HttpResponse watch(ServiceRequestContext ctx, @Param("prefix") Optional<String> prefix,
      @Param("key") Optional<String> key, @Param("from") Optional<Long> from,
      @Param("prev") @Default("false") boolean prev, @Header("Last-Event-ID") Optional<Long> lastEventId) {
    ctx.clearRequestTimeout(); // a stream lives as long as its reader
    WatchRequest request = WatchRequest.newBuilder().setPrefix(prefix.orElse("")).setKey(key.orElse(""))
        .setFromRevision(lastEventId.or(() -> from).orElse(0L)).setPrev(prev).build();
    SseWatch watch = new SseWatch(ctx.eventLoop(), SseWatch.STALL);
    // No reconnect: the gateway ends the stream when the leader goes; its reader resumes.
    leader.forCaller(ctx).watchAsync(request, watch);
    return ServerSentEvents.fromPublisher(watch.events());
  }
}
