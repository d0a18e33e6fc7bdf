package io.kvdb.gateway.leader;

import com.linecorp.armeria.common.RequestContext;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.util.concurrent.EventExecutor;

/**
 * Runs the gateway's streaming calls to the leader (kv-client's Session stream) outside every
 * Armeria request context. Armeria ties a client call to the request context current when it
 * starts, and refuses to run a callback of one context while another is current. The Session
 * stream outlives the HTTP request that opened it and carries every other request's calls: sent
 * from within their contexts, or answering them from within its own, it would trip that check.
 * So every step of such a call (start, each send, each reply) runs as a task on one plain event
 * loop, where no context is current; the tasks of one call run in order there, one at a time.
 * Unary calls pass through untouched.
 *
 * <p>The loop should be the one the channel's connection to the leader runs on (see {@link
 * LeaderClient#connect}): a message then crosses threads once each way (from the HTTP request's
 * event loop to the connection's, and back), not twice, and a step already running on the loop
 * outside every context (a call made from another call's reply) runs at once.
 */
final class OutsideRequestContexts implements ClientInterceptor {
  /** A plain (not context-aware) event loop. */
  private final EventExecutor loop;

  OutsideRequestContexts(EventExecutor loop) {
    this.loop = loop;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    if (method.getType() == MethodDescriptor.MethodType.UNARY) {
      return next.newCall(method, options);
    }
    return new Hopping<>(method, options, next);
  }

  /** A call whose every step, and every callback of its listener, runs on {@code loop}. */
  private final class Hopping<Q, R> extends ClientCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final Channel next;
    /** Made on the loop, by the first task; read only there. */
    private ClientCall<Q, R> delegate;

    Hopping(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      this.method = method;
      this.options = options;
      this.next = next;
    }

    @Override
    public void start(Listener<R> listener, Metadata headers) {
      loop.execute(() -> {
        delegate = next.newCall(method, options);
        delegate.start(new Listener<>() {
          @Override
          public void onHeaders(Metadata received) {
            loop.execute(() -> listener.onHeaders(received));
          }

          @Override
          public void onMessage(R message) {
            loop.execute(() -> listener.onMessage(message));
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            loop.execute(() -> listener.onClose(status, trailers));
          }

          @Override
          public void onReady() {
            loop.execute(listener::onReady);
          }
        }, headers);
      });
    }

    @Override
    public void request(int count) {
      onLoop(() -> delegate.request(count));
    }

    @Override
    public void cancel(String message, Throwable cause) {
      loop.execute(() -> {
        if (delegate != null) {
          delegate.cancel(message, cause);
        }
      });
    }

    @Override
    public void halfClose() {
      loop.execute(() -> delegate.halfClose());
    }

    @Override
    public void sendMessage(Q message) {
      onLoop(() -> delegate.sendMessage(message));
    }

    /**
     * Runs {@code step} of a started call now when this thread is the loop and no context is
     * current, else as a task on the loop. Steps that may run at once are those whose order among
     * themselves does not matter (messages of different callers, more flow-control credit).
     */
    private void onLoop(Runnable step) {
      if (loop.inEventLoop() && delegate != null && RequestContext.currentOrNull() == null) {
        step.run();
      } else {
        loop.execute(step);
      }
    }

    @Override
    public boolean isReady() {
      return true; // kv-client bounds its calls in flight itself and does not wait for onReady
    }
  }
}
