package io.kvdb.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one path of every unary call of the clients: the deadline, the bearer token, the
 * {@link RetryRule} and the mapping of failures to {@link KvException}, in a blocking and an async
 * form. Immutable: a client view with other options makes its own.
 */
final class Calls {
  /** Whether a call only reads (and so may be sent again) or writes. */
  enum Kind { READ, WRITE }

  private final Channel channel;
  private final KvOptions options;
  private final CallOptions callOptions;

  Calls(Channel channel, KvOptions options) {
    this.channel = channel;
    this.options = options;
    this.callOptions = options.token().map(token -> CallOptions.DEFAULT.withCallCredentials(new BearerToken(token)))
        .orElse(CallOptions.DEFAULT);
  }

  Channel channel() {
    return channel;
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
   * Sends {@code request}; the future completes with the reply, or with a {@link KvException}
   * after the retries the rule allows. Cancelling the future cancels the call.
   */
  <Q, R> CompletableFuture<R> async(MethodDescriptor<Q, R> method, Q request, Kind kind) {
    CompletableFuture<R> result = new CompletableFuture<>();
    attempt(method, request, kind, deadlineFor(kind), 1, result);
    return result;
  }

  private <Q, R> void attempt(MethodDescriptor<Q, R> method, Q request, Kind kind, Deadline deadline, int attempt,
      CompletableFuture<R> result) {
    if (result.isDone()) {
      return; // cancelled by the caller while waiting to retry
    }
    ClientCall<Q, R> call = channel.newCall(method, callOptions.withDeadline(deadline));
    result.whenComplete((reply, error) -> {
      if (error instanceof CancellationException) {
        call.cancel("cancelled by the caller", null);
      }
    });
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
      @Override
      public void onNext(R reply) {
        result.complete(reply);
      }

      @Override
      public void onError(Throwable error) {
        Optional<Duration> pause = RetryRule.pauseAfter(attempt, kind == Kind.READ, Status.fromThrowable(error).getCode(),
            options, deadline);
        if (pause.isEmpty()) {
          result.completeExceptionally(KvException.of(error, attempt));
        } else {
          CompletableFuture.delayedExecutor(pause.get().toNanos(), TimeUnit.NANOSECONDS)
              .execute(() -> attempt(method, request, kind, deadline, attempt + 1, result));
        }
      }

      @Override
      public void onCompleted() {
        // A unary reply completes in onNext; a call that ends without one is a broken server.
        result.completeExceptionally(KvException.of(Status.INTERNAL
            .withDescription("the server closed the call without a reply").asRuntimeException(), attempt));
      }
    });
  }

  private Deadline deadlineFor(Kind kind) {
    Duration timeout = kind == Kind.READ ? options.deadline() : options.writeDeadline();
    return Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
