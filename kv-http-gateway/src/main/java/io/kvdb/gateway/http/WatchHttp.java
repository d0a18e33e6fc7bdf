package io.kvdb.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Description;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Header;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Path;
import com.linecorp.armeria.server.streaming.ServerSentEvents;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import io.kvdb.gateway.leader.LeaderClient;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /watch} and {@code /v1/watch}: KV.Watch as Server-Sent Events ({@code put},
 * {@code delete}, {@code progress}, {@code error}; one JSON data line each; the revision as id, so a
 * browser's Last-Event-ID resumes). Each stream has one event in flight at most: the watch waits
 * until it is written out, so a slow reader backs up into the leader, which cancels it
 * (WATCH_TOO_SLOW). When the leader is lost the stream ends with an {@code error} event.
 */
public final class WatchHttp {
  private static final long CONSUME_TIMEOUT_S = 30;

  private final LeaderClient leader;

  public WatchHttp(LeaderClient leader) {
    this.leader = leader;
  }

  @Get
  @Path("/watch")
  @Path("/v1/watch")
  @Description("Server-Sent Events of the changes under prefix (or of one key) after revision from")
  public HttpResponse watch(ServiceRequestContext ctx, @Param("prefix") java.util.Optional<String> prefix,
      @Param("key") java.util.Optional<String> key, @Param("from") java.util.Optional<Long> from,
      @Header("Last-Event-ID") java.util.Optional<Long> lastEventId) {
    ctx.clearRequestTimeout(); // a stream lives as long as its reader
    WatchRequest request = WatchRequest.newBuilder().setPrefix(prefix.orElse("")).setKey(key.orElse(""))
        .setFromRevision(lastEventId.or(() -> from).orElse(0L)).build();
    KvClient client = leader.forCaller(ctx);
    StreamWriter<ServerSentEvent> events = StreamMessage.streaming();
    ctx.blockingTaskExecutor().execute(() -> run(client, request, events));
    return ServerSentEvents.fromPublisher(events);
  }

  private static void run(KvClient client, WatchRequest request, StreamWriter<ServerSentEvent> events) {
    try {
      // No reconnect window: the gateway ends the stream when the leader goes; its reader resumes.
      client.watch(request, Duration.ZERO, message -> {
        if (!events.tryWrite(sse(message))) {
          return false; // the reader went away
        }
        try {
          events.whenConsumed().get(CONSUME_TIMEOUT_S, TimeUnit.SECONDS);
          return events.isOpen();
        } catch (Exception e) {
          return false;
        }
      });
    } catch (KvException e) {
      events.tryWrite(ServerSentEvent.builder().event("error").data("{\"error\":" + quote(e.getMessage())
          + ",\"code\":\"" + e.code() + "\",\"reason\":" + quote(e.reason().orElse("")) + "}").build());
    } catch (RuntimeException e) {
      events.tryWrite(ServerSentEvent.builder().event("error").data("{\"error\":" + quote(e.toString()) + "}")
          .build());
    } finally {
      events.close();
    }
  }

  private static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  static ServerSentEvent sse(WatchResponse message) {
    if (!message.hasEvent()) {
      long revision = message.getProgress().getRevision();
      return ServerSentEvent.builder().event("progress").id(Long.toString(revision))
          .data("{\"revision\":" + revision + "}").build();
    }
    WatchEvent event = message.getEvent();
    boolean put = event.getType() == WatchEvent.Type.PUT;
    StringBuilder data = new StringBuilder("{\"key\":").append(quote(event.getKey()))
        .append(",\"revision\":").append(event.getRevision());
    if (put) {
      data.append(",\"value\":").append(quote(Base64.getEncoder().encodeToString(event.getValue().toByteArray())))
          .append(",\"encoding\":\"base64\"");
    }
    return ServerSentEvent.builder().event(put ? "put" : "delete").id(Long.toString(event.getRevision()))
        .data(data.append('}').toString()).build();
  }
}
