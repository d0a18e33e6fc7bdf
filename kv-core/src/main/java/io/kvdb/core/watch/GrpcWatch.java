package io.kvdb.core.watch;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;

/** KV.Watch over gRPC: a {@link WatchStream} on the call, sending only while the transport is ready. */
public final class GrpcWatch {
  private GrpcWatch() {}

  /** Validates {@code request} and starts its watch on {@code hub}. */
  public static void start(WatchHub hub, WatchRequest request, StreamObserver<WatchResponse> observer) {
    if (!request.getKey().isEmpty() && !request.getPrefix().isEmpty()) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription("watch a key or a prefix, not both").asRuntimeException());
      return;
    }
    ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) observer;
    WatchStream stream = new WatchStream() {
      @Override
      public boolean ready() {
        return call.isReady() && !call.isCancelled();
      }

      @Override
      public void send(WatchResponse message) {
        call.onNext(message);
      }

      @Override
      public void end(StatusRuntimeException status) {
        if (!call.isCancelled()) {
          call.onError(status);
        }
      }
    };
    call.setOnCancelHandler(() -> hub.cancel(stream));
    call.setOnReadyHandler(() -> hub.onReady(stream));
    hub.watch(request, stream);
  }
}
