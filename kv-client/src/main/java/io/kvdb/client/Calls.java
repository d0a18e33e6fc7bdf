package io.kvdb.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The one path of every call of the clients, unary or on the {@link Session} stream: the
 * deadline, the bearer token, the {@link RetryRule} and the mapping of failures to
 * {@link KvException}, in a blocking and an async form. Immutable: a client view with other options makes its own.
 */
final class Calls {
  /** Whether a call only reads (and so may be sent again) or writes. */
  enum Kind { READ, WRITE }

  private final Channel channel;
  private final Session session;
  private final KvOptions options;
  private final CallOptions callOptions;

  /**
   * {@code session}: the Session stream of the channel, shared by every view of one client; null
   * for a client that never uses one (of a follower).
   */
  Calls(Channel channel, Session session, KvOptions options) {
    this.channel = channel;
    this.session = session;
    this.options = options;
    this.callOptions = options.token().map(token -> CallOptions.DEFAULT.withCallCredentials(new BearerToken(token)))
        .orElse(CallOptions.DEFAULT);
  }

  Channel channel() {
    return channel;
  }

  Session sessionStream() {
    return session;
  }

  KvOptions options() {
    return options;
  }

  /**
   * Sends {@code request} and waits for the reply, on this thread (gRPC runs the reply's decoding
   * here too, which saves a thread hop per call).
   *
   * @throws KvException when the call failed, after the retries the rule allows
   */
  <Q, R> R blocking(MethodDescriptor<Q, R> method, Q request, Kind kind) {
    Deadline deadline = deadlineFor(kind);
    for (int attempt = 1; ; attempt++) {
      try {
        return ClientCalls.blockingUnaryCall(channel, method, callOptions.withDeadline(deadline), request);
      } catch (StatusRuntimeException e) {
        Optional<Duration> pause = RetryRule.pauseAfter(attempt, kind == Kind.READ, e.getStatus().getCode(), options,
            deadline);
        if (pause.isEmpty()) {
          throw KvException.of(e, attempt);
        }
        try {
          Thread.sleep(pause.get().toMillis(), pause.get().toNanosPart() % 1_000_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw KvException.of(Status.CANCELLED.withDescription("interrupted while waiting to retry").withCause(e)
              .asRuntimeException(), attempt);
        }
      }
    }
  }

  /**
   * A server stream's messages as they come, read on the consuming thread. No deadline and no
   * retry: such a stream (a backup) runs as long as its data needs, and a retry would start it over.
   * Closing the stream cancels the call; a failure throws {@link KvException} from the stream.
   */
  <Q, R> Stream<R> serverStream(MethodDescriptor<Q, R> method, Q request) {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<R> replies;
    Context previous = context.attach();
    try {
      replies = ClientCalls.blockingServerStreamingCall(channel, method, callOptions, request);
    } finally {
      context.detach(previous);
    }
    Iterator<R> failingAsKvException = new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return replies.hasNext();
        } catch (StatusRuntimeException e) {
          throw KvException.of(e, 1);
        }
      }

      @Override
      public R next() {
        try {
          return replies.next();
        } catch (StatusRuntimeException e) {
          throw KvException.of(e, 1);
        }
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(failingAsKvException, Spliterator.ORDERED), false)
        .onClose(() -> context.cancel(null));
  }

  /**
   * A server stream without blocking, as {@link #serverStream} (no deadline, no retry):
   * {@code observer} gets the messages with gRPC's flow control in its hands (its
   * {@code beforeStart}), and a failure as a {@link KvException}.
   */
  <Q, R> void serverStreamAsync(MethodDescriptor<Q, R> method, Q request, ClientResponseObserver<Q, R> observer) {
    ClientCalls.asyncServerStreamingCall(channel.newCall(method, callOptions), request,
        new ClientResponseObserver<Q, R>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<Q> stream) {
            observer.beforeStart(stream);
          }

          @Override
          public void onNext(R value) {
            observer.onNext(value);
          }

          @Override
          public void onError(Throwable error) {
            observer.onError(KvException.of(error, 1));
          }

          @Override
          public void onCompleted() {
            observer.onCompleted();
          }
        });
  }

  /**
   * Sends {@code request}; the future completes with the reply, or with a {@link KvException}
   * after the retries the rule allows. Cancelling the future cancels the call.
   */
  <Q, R> CompletableFuture<R> async(MethodDescriptor<Q, R> method, Q request, Kind kind) {
    CompletableFuture<R> result = new CompletableFuture<>();
    attempt(deadline -> unary(method, request, deadline), kind, deadlineFor(kind), 1, result);
    return result;
  }

  /**
   * Sends {@code request} (a get, put or delete; its id, timeout and token are set here) on the
   * client's Session stream; as {@link #async}, with the same deadline and retry rule. Cancelling
   * the future drops the call's reply (the leader still answers it).
   */
  CompletableFuture<SessionReply> session(SessionRequest.Builder request, Kind kind) {
    options.token().ifPresent(request::setToken);
    CompletableFuture<SessionReply> result = new CompletableFuture<>();
    attempt(deadline -> session.call(request.clone(), deadline), kind, deadlineFor(kind), 1, result);
    return result;
  }

  /** {@link #session}, waiting for the reply on this thread. */
  SessionReply sessionBlocking(SessionRequest.Builder request, Kind kind) {
    try {
      return session(request, kind).get();
    } catch (ExecutionException e) {
      throw KvException.of(e.getCause(), 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KvException.of(Status.CANCELLED.withDescription("interrupted while waiting for the reply").withCause(e)
          .asRuntimeException(), 1);
    }
  }

  /** One attempt of a call; {@link #attempt} sends it again as {@link RetryRule} says. */
  private <R> void attempt(Function<Deadline, CompletableFuture<R>> send, Kind kind, Deadline deadline, int attempt,
      CompletableFuture<R> result) {
    if (result.isDone()) {
      return; // cancelled by the caller while waiting to retry
    }
    CompletableFuture<R> sent = send.apply(deadline);
    result.whenComplete((reply, error) -> {
      if (error instanceof CancellationException) {
        sent.cancel(false);
      }
    });
    sent.whenComplete((reply, error) -> {
      if (error == null) {
        result.complete(reply);
        return;
      }
      Optional<Duration> pause = RetryRule.pauseAfter(attempt, kind == Kind.READ, Status.fromThrowable(error).getCode(),
          options, deadline);
      if (pause.isEmpty()) {
        result.completeExceptionally(KvException.of(error, attempt));
      } else {
        CompletableFuture.delayedExecutor(pause.get().toNanos(), TimeUnit.NANOSECONDS)
            .execute(() -> attempt(send, kind, deadline, attempt + 1, result));
      }
    });
  }

  /** One unary call; cancelling the future cancels the call. */
  private <Q, R> CompletableFuture<R> unary(MethodDescriptor<Q, R> method, Q request, Deadline deadline) {
    CompletableFuture<R> reply = new CompletableFuture<>();
    ClientCall<Q, R> call = channel.newCall(method, callOptions.withDeadline(deadline));
    reply.whenComplete((value, error) -> {
      if (error instanceof CancellationException) {
        call.cancel("cancelled by the caller", null);
      }
    });
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
      @Override
      public void onNext(R value) {
        reply.complete(value);
      }

      @Override
      public void onError(Throwable error) {
        reply.completeExceptionally(error);
      }

      @Override
      public void onCompleted() {
        // A unary reply completes in onNext; a call that ends without one is a broken server.
        reply.completeExceptionally(Status.INTERNAL
            .withDescription("the server closed the call without a reply").asRuntimeException());
      }
    });
    return reply;
  }

  private Deadline deadlineFor(Kind kind) {
    Duration timeout = kind == Kind.READ ? options.deadline() : options.writeDeadline();
    return Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
