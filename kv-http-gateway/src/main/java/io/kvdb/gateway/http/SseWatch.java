package io.kvdb.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import com.linecorp.armeria.common.stream.StreamMessage;
import com.linecorp.armeria.common.stream.StreamWriter;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.client.KvException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One SSE stream of a watch, with no thread of its own: the leader's messages arrive on the gRPC
 * client's event loop, each is written as one event, and the next one is asked of the leader only
 * once the HTTP response has taken it (gRPC flow control). So a stream holds one event at most in
 * the gateway, and a reader that stops reading backs up into the leader, which cancels the watch
 * WATCH_TOO_SLOW. A reader that takes no event for {@link #STALL} (while the leader sends
 * progress every second or so) is stalled: the response is aborted and the watch cancelled, so that
 * nothing waits for it in the gateway (the leader's end of the watch cannot reach the gateway past
 * the messages that gRPC's window still holds). When the watch ends, the reader gets an
 * {@code error} event and the end of the response once it has taken the event before (or the
 * response is aborted by that same check). A reader that goes away cancels the watch.
 */
final class SseWatch implements ClientResponseObserver<WatchRequest, WatchResponse> {
  /** How long an event may wait for the reader to take it. */
  static final Duration STALL = Duration.ofSeconds(10);

  private final StreamWriter<ServerSentEvent> events = StreamMessage.streaming();
  private final ScheduledExecutorService timer;
  private final Duration stall;
  private volatile ClientCallStreamObserver<WatchRequest> call;

  /**
   * {@code timer}: where the check for a stalled reader runs (the request's event loop);
   * {@code stall}: how long an event may wait for the reader ({@link #STALL}).
   */
  SseWatch(ScheduledExecutorService timer, Duration stall) {
    this.timer = timer;
    this.stall = stall;
  }

  /** The events, for the HTTP response. */
  StreamMessage<ServerSentEvent> events() {
    return events;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<WatchRequest> stream) {
    call = stream;
    stream.disableAutoRequestWithInitial(1);
    events.whenComplete().handle((done, error) -> {
      stream.cancel("the SSE reader went away", null); // a no-op once the watch has ended
      return null;
    });
  }

  @Override
  public void onNext(WatchResponse message) {
    CompletableFuture<Void> taken = send(sse(message));
    if (taken == null) {
      call.cancel("the SSE reader went away", null);
      return;
    }
    taken.thenRun(() -> call.request(1));
  }

  /**
   * Once the reader has taken what waits, the error event and the end: still one event in the
   * gateway at a time (a reader that never takes it has the response aborted by its stall check).
   */
  @Override
  public void onError(Throwable error) {
    KvException failure = error instanceof KvException e ? e : null;
    String data = failure == null ? "{\"error\":" + quote(error.toString()) + "}"
        : "{\"error\":" + quote(failure.getMessage()) + ",\"code\":\"" + failure.code() + "\",\"reason\":"
            + quote(failure.reason().orElse("")) + "}";
    ServerSentEvent ended = ServerSentEvent.builder().event("error").data(data).build();
    events.whenConsumed().thenRun(() -> {
      if (send(ended) != null) {
        events.close();
      }
    });
  }

  /**
   * Writes {@code event}; returns when the reader has taken it (null: the response is gone). If the
   * reader has not taken it within the stall time, the response is aborted and the watch cancelled.
   */
  private CompletableFuture<Void> send(ServerSentEvent event) {
    if (!events.tryWrite(event)) {
      return null;
    }
    CompletableFuture<Void> taken = events.whenConsumed();
    ScheduledFuture<?> stalled = timer.schedule(() -> {
      if (!taken.isDone()) {
        String why = "the SSE reader took no event for " + stall.toMillis() + " ms";
        call.cancel(why, null);
        events.abort(new IllegalStateException(why));
      }
    }, stall.toNanos(), TimeUnit.NANOSECONDS);
    taken.thenRun(() -> stalled.cancel(false)); // one check waits per stream, not one per event sent
    return taken;
  }

  @Override
  public void onCompleted() {
    events.close();
  }

  static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  /** {@code progress} {"revision"}, or {@code put}/{@code delete} {"key", "revision", "value", "encoding", "prev_value", "prev_version"}. */
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
      data.append(",\"value\":").append(quote(base64(event.getValue().toByteArray())))
          .append(",\"encoding\":\"base64\"");
    }
    if (event.getPrevVersion() != 0) {
      data.append(",\"prev_value\":").append(quote(base64(event.getPrevValue().toByteArray())))
          .append(",\"prev_version\":").append(event.getPrevVersion());
    }
    return ServerSentEvent.builder().event(put ? "put" : "delete").id(Long.toString(event.getRevision()))
        .data(data.append('}').toString()).build();
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
