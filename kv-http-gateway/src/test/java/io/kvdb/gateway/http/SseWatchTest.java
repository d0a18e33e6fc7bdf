package io.kvdb.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.sse.ServerSentEvent;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchProgress;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One SSE stream of a watch between a fake gRPC call (which counts what is asked of the leader)
 * and a real Armeria stream read by a reader that takes events only when the test says.
 */
@Timeout(30)
class SseWatchTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final LeaderCall leader = new LeaderCall();
  private final Reader reader = new Reader();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  /** The gRPC call as the SSE stream drives it: how many messages it asked for, whether it cancelled. */
  static final class LeaderCall extends ClientCallStreamObserver<WatchRequest> {
    volatile int initial = -1;
    volatile int requested;
    volatile String cancelled;

    @Override
    public void disableAutoRequestWithInitial(int request) {
      initial = request;
    }

    @Override
    public void request(int count) {
      requested += count;
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = message;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(WatchRequest value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }

  /** The HTTP response's side: takes events only as the test asks. */
  static final class Reader implements Subscriber<ServerSentEvent> {
    final List<ServerSentEvent> got = new CopyOnWriteArrayList<>();
    volatile Subscription subscription;
    volatile Throwable error;
    volatile boolean completed;

    @Override
    public void onSubscribe(Subscription s) {
      subscription = s;
    }

    @Override
    public void onNext(ServerSentEvent event) {
      got.add(event);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {
      completed = true;
    }

    List<String> names() {
      return got.stream().map(ServerSentEvent::event).toList();
    }
  }

  private SseWatch started(Duration stall) {
    SseWatch watch = new SseWatch(timer, stall);
    watch.beforeStart(leader);
    watch.events().subscribe(reader, ImmediateEventExecutor.INSTANCE);
    return watch;
  }

  private static WatchResponse progress(long revision) {
    return WatchResponse.newBuilder().setProgress(WatchProgress.newBuilder().setRevision(revision)).build();
  }

  private static WatchResponse put(String key, long revision) {
    return WatchResponse.newBuilder().setEvent(WatchEvent.newBuilder().setKey(key).setRevision(revision)
        .setValue(ByteString.copyFromUtf8("v"))).build();
  }

  @Test
  void theLeaderIsAskedForTheNextMessageOnlyOnceTheReaderHasTakenTheLastOne() {
    SseWatch watch = started(Duration.ofMinutes(1));
    assertEquals(1, leader.initial, "one message at a time");
    watch.onNext(progress(7));
    assertEquals(0, leader.requested, "the reader has not taken the first: nothing more is asked");
    reader.subscription.request(1);
    assertEquals(List.of("progress"), reader.names());
    assertEquals("7", reader.got.get(0).id());
    assertEquals(1, leader.requested);
    watch.onNext(put("k", 8));
    watch.onNext(put("k", 9)); // more than was asked for would never come; the count shows it was not asked
    assertEquals(1, leader.requested);
    reader.subscription.request(5);
    assertEquals(List.of("progress", "put", "put"), reader.names());
    assertEquals(3, leader.requested);
  }

  @Test
  void aReaderThatTakesNoEventForTheStallTimeHasItsResponseAbortedAndTheWatchCancelled() throws Exception {
    SseWatch watch = started(Duration.ofMillis(200));
    watch.onNext(progress(7));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reader.error == null) {
      if (System.nanoTime() > deadline) {
        fail("the stalled stream was not aborted");
      }
      Thread.sleep(10);
    }
    assertNotNull(leader.cancelled, "the watch on the leader is cancelled too");
    assertTrue(reader.got.isEmpty());
    assertFalse(reader.completed, "aborted, not ended");
  }

  @Test
  void aWatchThatEndsWhileTheReaderKeepsUpEndsWithAnErrorEvent() {
    SseWatch watch = started(Duration.ofMinutes(1));
    reader.subscription.request(10);
    watch.onNext(progress(7));
    watch.onError(Status.UNAVAILABLE.withDescription("the leader went away").asRuntimeException());
    assertEquals(List.of("progress", "error"), reader.names());
    assertTrue(reader.got.get(1).data().contains("the leader went away"), reader.got.get(1).data());
    assertTrue(reader.completed);
    assertNull(reader.error);
  }

  @Test
  void aWatchThatEndsWhileAnEventWaitsEndsWithTheErrorEventOnceTheReaderHasTakenIt() {
    SseWatch watch = started(Duration.ofMinutes(1));
    watch.onNext(progress(7));
    watch.onError(Status.UNAVAILABLE.withDescription("the leader went away").asRuntimeException());
    assertTrue(reader.got.isEmpty());
    assertFalse(reader.completed);
    reader.subscription.request(1);
    assertEquals(List.of("progress"), reader.names());
    reader.subscription.request(1);
    assertEquals(List.of("progress", "error"), reader.names());
    assertTrue(reader.completed);
  }

  @Test
  void aWatchThatEndsWhileTheReaderIsStalledHasItsResponseAbortedWithNoEventAdded() throws Exception {
    SseWatch watch = started(Duration.ofMillis(200));
    watch.onNext(progress(7));
    watch.onError(Status.RESOURCE_EXHAUSTED.withDescription("too slow").asRuntimeException());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reader.error == null) {
      if (System.nanoTime() > deadline) {
        fail("the stalled stream was not aborted");
      }
      Thread.sleep(10);
    }
    assertTrue(reader.got.isEmpty());
    assertFalse(reader.completed, "aborted, not ended");
  }

  @Test
  void aReaderThatGoesAwayCancelsTheWatch() {
    started(Duration.ofMinutes(1));
    reader.subscription.cancel();
    assertNotNull(leader.cancelled);
  }

  @Test
  void eventsCarryTheRevisionAsIdAndThePreviousValueWhenThereIsOne() {
    ServerSentEvent plain = SseWatch.sse(put("k", 8));
    assertEquals("8", plain.id());
    assertEquals("{\"key\":\"k\",\"revision\":8,\"value\":\"dg==\",\"encoding\":\"base64\"}", plain.data());
    ServerSentEvent delete = SseWatch.sse(WatchResponse.newBuilder().setEvent(WatchEvent.newBuilder().setKey("k")
        .setType(WatchEvent.Type.DELETE).setRevision(9).setPrevValue(ByteString.copyFromUtf8("v"))
        .setPrevVersion(8)).build());
    assertEquals("delete", delete.event());
    assertEquals("{\"key\":\"k\",\"revision\":9,\"prev_value\":\"dg==\",\"prev_version\":8}", delete.data());
  }
}
