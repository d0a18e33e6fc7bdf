package io.kvdb.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The client's end of the leader's KV Session: one long-lived bidi stream per channel that
 * carries get, put and delete calls, each a request with an id of its own, whose replies come
 * back in any order. A call costs one message each way instead of an HTTP/2 stream with headers
 * and trailers of its own (see docs/PERFORMANCE.md, "HTTP gateway").
 *
 * <p>At most {@link #WINDOW} calls are in flight; one more fails at once with RESOURCE_EXHAUSTED.
 * Each call has its deadline: the leader gets what is left of it as {@code timeout_ms}, and a
 * timer here fails the call with DEADLINE_EXCEEDED when it passes, whatever the leader does.
 * A stream that breaks (the leader stopped, the connection was lost) fails the calls in flight
 * on it with UNAVAILABLE; the next call opens a new stream. Sending again is for {@link Calls} to
 * decide ({@link RetryRule}): a read may be, a write never.
 *
 * <p>Thread-safe. The stream's request observer is not, so sends hold the stream's lock.
 */
final class Session implements AutoCloseable {
  /** Calls in flight on one stream, at most. */
  static final int WINDOW = 1024;
  /** Fires the calls' deadlines; a daemon, so it never holds a process up. */
  private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

  private final Channel channel;
  private Stream current; // guarded by this
  private long nextId; // guarded by this

  Session(Channel channel) {
    this.channel = channel;
  }

  private static ScheduledThreadPoolExecutor deadlineTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, run -> {
      Thread thread = new Thread(run, "kv-client-session-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true); // most calls answer long before their deadline
    return timer;
  }

  /**
   * Sends {@code request} (its id and timeout are set here) on the stream, opening one if there is
   * none; the future completes with the reply, or fails with the status the leader answered, or
   * with DEADLINE_EXCEEDED, UNAVAILABLE (the stream broke) or RESOURCE_EXHAUSTED (window full).
   */
  CompletableFuture<SessionReply> call(SessionRequest.Builder request, Deadline deadline) {
    Stream stream;
    long id;
    synchronized (this) {
      if (current == null) {
        current = new Stream();
      }
      stream = current;
      id = ++nextId;
    }
    return stream.call(id, request, deadline);
  }

  /** Ends the stream, if one is open; calls in flight fail with UNAVAILABLE. */
  @Override
  public void close() {
    Stream stream;
    synchronized (this) {
      stream = current;
      current = null;
    }
    if (stream != null) {
      stream.requests.cancel("the client was closed", null);
    }
  }

  private synchronized void forget(Stream broken) {
    if (current == broken) {
      current = null;
    }
  }

  private record Pending(CompletableFuture<SessionReply> reply, ScheduledFuture<?> timeout) {}

  /** One stream and the calls in flight on it. */
  private final class Stream implements StreamObserver<SessionReply> {
    private final Map<Long, Pending> inFlight = new ConcurrentHashMap<>();
    private final ClientCallStreamObserver<SessionRequest> requests;
    private volatile boolean broken;

    Stream() {
      // The stream lives as long as the leader keeps it: no deadline of its own, no call
      // credentials (each request carries its caller's token).
      requests = (ClientCallStreamObserver<SessionRequest>) ClientCalls.asyncBidiStreamingCall(
          channel.newCall(KVGrpc.getSessionMethod(), CallOptions.DEFAULT), this);
    }

    CompletableFuture<SessionReply> call(long id, SessionRequest.Builder request, Deadline deadline) {
      CompletableFuture<SessionReply> reply = new CompletableFuture<>();
      if (inFlight.size() >= WINDOW) {
        reply.completeExceptionally(Status.RESOURCE_EXHAUSTED
            .withDescription(WINDOW + " calls are already in flight on the Session stream").asRuntimeException());
        return reply;
      }
      long leftNanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
      ScheduledFuture<?> timeout = DEADLINES.schedule(() -> expire(id, leftNanos), Math.max(leftNanos, 0),
          TimeUnit.NANOSECONDS);
      inFlight.put(id, new Pending(reply, timeout));
      reply.whenComplete((answer, error) -> { // answered, expired, failed or cancelled by the caller
        inFlight.remove(id);
        timeout.cancel(false);
      });
      long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos + 999_999));
      SessionRequest message = request.setId(id).setTimeoutMs((int) Math.min(leftMs, 0xFFFF_FFFFL)).build();
      synchronized (this) {
        if (broken) {
          fail(reply, Status.UNAVAILABLE.withDescription("the Session stream to the leader broke"));
          return reply;
        }
        try {
          requests.onNext(message);
          return reply;
        } catch (RuntimeException e) { // the call was closed under us (the client is closing)
          broken = true;
        }
      }
      breakOff(Status.UNAVAILABLE.withDescription("the Session stream to the leader is closed"));
      return reply;
    }

    private void expire(long id, long timeoutNanos) {
      Pending pending = inFlight.remove(id);
      if (pending != null) {
        pending.reply().completeExceptionally(Status.DEADLINE_EXCEEDED.withDescription(
            "no reply from the leader within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")
            .asRuntimeException());
      }
    }

    @Override
    public void onNext(SessionReply reply) {
      Pending pending = inFlight.remove(reply.getId());
      if (pending == null) {
        return; // its deadline passed, or its caller cancelled it
      }
      if (reply.hasError()) {
        pending.reply().completeExceptionally(StatusProto.toStatusRuntimeException(reply.getError()));
      } else {
        pending.reply().complete(reply);
      }
    }

    @Override
    public void onError(Throwable error) {
      // The calls get what the stream got, as UNAVAILABLE: the same description and local cause
      // (a refused connection, a TLS handshake) that a unary call meeting it would report.
      Status status = Status.fromThrowable(error);
      breakOff(status.getCode() == Status.Code.UNAVAILABLE ? status
          : Status.UNAVAILABLE.withDescription(status.getDescription()).withCause(status.getCause()));
    }

    @Override
    public void onCompleted() {
      breakOff(Status.UNAVAILABLE.withDescription("the leader ended the Session stream"));
    }

    private void breakOff(Status why) {
      synchronized (this) {
        broken = true;
      }
      forget(this);
      for (Long id : inFlight.keySet()) {
        Pending pending = inFlight.remove(id);
        if (pending != null) {
          fail(pending.reply(), why);
        }
      }
    }

    private void fail(CompletableFuture<SessionReply> reply, Status why) {
      reply.completeExceptionally(why.asRuntimeException());
    }
  }
}
