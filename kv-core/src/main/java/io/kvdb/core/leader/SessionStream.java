package io.kvdb.core.leader;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.request.Statuses;
import io.kvdb.core.security.BearerTokens.Role;
import io.kvdb.core.security.SessionAuth;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One KV Session stream on the leader: each request runs through {@link KvService}'s own get, put
 * and delete (validation, the write pipeline, acks, {@link Statuses}), after the per-request token
 * check of {@link SessionAuth}; its reply goes out with its id as soon as it is ready, in any order.
 *
 * <p><b>Flow control.</b> The stream asks gRPC for {@link #WINDOW} requests at first and for one
 * more each time a reply has been handed to the transport. Replies the transport is not ready for
 * ({@code isReady()} false) wait in {@code waiting}, sent from the on-ready handler; since every
 * waiting reply is a request not yet asked again, at most {@link #WINDOW} replies ever wait, and
 * a client that stops reading stops the leader reading its requests.
 *
 * <p><b>Deadlines.</b> A request's {@code timeout_ms} runs from when it is read. A write still
 * waiting then (for the writer thread or for acks) is answered DEADLINE_EXCEEDED and its ack wait
 * freed; like a unary call whose deadline passed, it may still be committed.
 *
 * <p>Threads: requests arrive on gRPC's thread of the stream; replies come from there (gets,
 * refusals), the writer thread (writes) and the deadline timer. {@code lock} guards the response
 * observer, which is not thread-safe, and the state below.
 */
final class SessionStream implements StreamObserver<SessionRequest> {
  /** Requests read and not yet answered on one stream, at most. */
  static final int WINDOW = 512;
  /** Fires the deadlines of Session requests; a daemon, so it never holds the process up. */
  private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();
  private static final String GET = KVGrpc.getGetMethod().getFullMethodName();
  private static final String PUT = KVGrpc.getPutMethod().getFullMethodName();
  private static final String DELETE = KVGrpc.getDeleteMethod().getFullMethodName();
  private static final String SESSION = KVGrpc.getSessionMethod().getFullMethodName();

  private static ScheduledThreadPoolExecutor deadlineTimer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, run -> {
      Thread thread = new Thread(run, "kv-session-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true); // nearly every write is answered long before its deadline
    return timer;
  }

  private final KvService service;
  private final ServerCallStreamObserver<SessionReply> out;
  private final SessionAuth auth;
  /** Counts each request as a call of its method (kvdb_grpc_requests_seconds); null: not counted. */
  private final GrpcMetricsInterceptor counting = GrpcMetricsInterceptor.current();
  private final Object lock = new Object();
  private final ArrayDeque<SessionReply> waiting = new ArrayDeque<>();
  private int unanswered;
  private boolean halfClosed;
  private boolean closed;

  private SessionStream(KvService service, ServerCallStreamObserver<SessionReply> out, SessionAuth auth) {
    this.service = service;
    this.out = out;
    this.auth = auth;
  }

  /** Serves the stream whose replies go to {@code out}; call from the service method itself. */
  static SessionStream open(KvService service, ServerCallStreamObserver<SessionReply> out, SessionAuth auth) {
    SessionStream stream = new SessionStream(service, out, auth);
    out.disableAutoRequest();
    out.setOnReadyHandler(stream::sendWaiting);
    out.setOnCancelHandler(stream::cancelled);
    out.request(WINDOW);
    return stream;
  }

  @Override
  public void onNext(SessionRequest request) {
    synchronized (lock) {
      unanswered++;
    }
    long id = request.getId();
    long started = counting == null ? 0 : counting.start();
    String method = switch (request.getCallCase()) {
      case GET -> GET;
      case PUT -> PUT;
      case DELETE -> DELETE;
      default -> SESSION;
    };
    try {
      switch (request.getCallCase()) {
        case GET -> {
          checkToken(request, Role.READ, GET);
          answer(method, started, SessionReply.newBuilder().setId(id).setGet(service.get(request.getGet())).build());
        }
        case PUT -> {
          checkToken(request, Role.WRITE, PUT);
          write(request, method, started, call -> service.put(request.getPut(), call),
              request.getPut().getWait().getMinAcks() > 0);
        }
        case DELETE -> {
          checkToken(request, Role.WRITE, DELETE);
          write(request, method, started, call -> service.delete(request.getDelete(), call),
              request.getDelete().getWait().getMinAcks() > 0);
        }
        default -> throw Status.INVALID_ARGUMENT
            .withDescription("a Session request must hold one of get, put or delete").asRuntimeException();
      }
    } catch (RuntimeException e) {
      answer(method, started, failure(id, e));
    }
  }

  /** Counts the request as a call of {@code method} (its code: the reply's), then sends the reply. */
  private void answer(String method, long started, SessionReply reply) {
    if (counting != null) {
      counting.record(method, reply.hasError() ? Status.fromCodeValue(reply.getError().getCode()).getCode()
          : Status.Code.OK, started);
    }
    send(reply);
  }

  private void checkToken(SessionRequest request, Role needed, String method) {
    Optional<Status> refusal = auth.refusal(request.getToken(), needed, method);
    if (refusal.isPresent()) {
      throw refusal.get().asRuntimeException();
    }
  }

  private interface Write {
    CompletableFuture<WriteResponse> run(Context call);
  }

  private void write(SessionRequest request, String method, long started, Write write, boolean waitsForAcks) {
    long id = request.getId();
    long timeoutMs = Integer.toUnsignedLong(request.getTimeoutMs());
    Context stream = Context.current();
    // Only a wait for acks listens to its call's Context (to be freed when the caller gives up):
    // a context of its own per write cost more than the write's commit in a profile.
    Context.CancellableContext call = waitsForAcks ? stream.withCancellation() : null;
    CompletableFuture<SessionReply> reply = new CompletableFuture<>();
    ScheduledFuture<?> deadline = timeoutMs == 0 ? null : DEADLINES.schedule(() -> reply.complete(failure(id,
        Status.DEADLINE_EXCEEDED.withDescription("timeout_ms " + timeoutMs + " passed on the leader")
            .asRuntimeException())), timeoutMs, TimeUnit.MILLISECONDS);
    write.run(call == null ? stream : call).whenComplete((written, error) -> reply.complete(error == null
        ? SessionReply.newBuilder().setId(id).setWrite(written).build() : failure(id, error)));
    reply.thenAccept(answer -> {
      if (deadline != null) {
        deadline.cancel(false);
      }
      if (call != null) {
        call.cancel(null); // frees the ack wait of a write answered DEADLINE_EXCEEDED
      }
      if (!stream.isCancelled()) { // a stream that ended (client gone, server stopping) gets no more replies
        answer(method, started, answer);
      }
    });
  }

  /** The reply of a failed request: the status its unary call would have ended with, details included. */
  private static SessionReply failure(long id, Throwable error) {
    StatusRuntimeException status = Statuses.of(error);
    Metadata trailers = status.getTrailers() == null ? new Metadata() : status.getTrailers();
    return SessionReply.newBuilder().setId(id)
        .setError(StatusProto.fromStatusAndTrailers(status.getStatus(), trailers)).build();
  }

  private void send(SessionReply reply) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (waiting.isEmpty() && out.isReady()) {
        answered(reply);
      } else {
        waiting.add(reply);
      }
    }
  }

  /** The on-ready handler: sends what waits while the transport takes it. */
  private void sendWaiting() {
    synchronized (lock) {
      while (!closed && !waiting.isEmpty() && out.isReady()) {
        answered(waiting.poll());
      }
    }
  }

  /** Under {@code lock}: hands one reply to the transport and reads one more request in its place. */
  private void answered(SessionReply reply) {
    out.onNext(reply);
    unanswered--;
    if (halfClosed) {
      completeIfDone();
    } else {
      out.request(1);
    }
  }

  private void completeIfDone() {
    if (unanswered == 0 && waiting.isEmpty() && !closed) {
      closed = true;
      out.onCompleted();
    }
  }

  private void cancelled() {
    synchronized (lock) {
      closed = true;
      waiting.clear();
    }
  }

  @Override
  public void onError(Throwable error) {
    cancelled(); // the client went away: nobody to answer
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      completeIfDone();
    }
  }
}
