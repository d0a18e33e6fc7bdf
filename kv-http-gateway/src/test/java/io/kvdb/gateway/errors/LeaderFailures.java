package io.kvdb.gateway.errors;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvException;
import java.util.concurrent.CompletionException;

/**
 * The failures the gateway's {@code KvClient} reports, made by the real client over a fake
 * channel whose every call ends at once with a given status and trailers: what a refusing,
 * unreachable or vanished leader looks like to the client, local cause included (which no server
 * could send).
 */
final class LeaderFailures {
  private LeaderFailures() {}

  /** The failure of an async write that met {@code status} (writes are never sent again). */
  static KvException of(Status status) {
    return of(status, new Metadata());
  }

  /** As {@link #of(Status)}, with the trailers a leader sends (ErrorInfo details). */
  static KvException of(Status status, Metadata trailers) {
    KvClient client = KvClient.over(new FailingChannel(status, trailers));
    CompletionException e = assertThrows(CompletionException.class,
        () -> client.putAsync("k", ByteString.copyFromUtf8("v")).join());
    return (KvException) e.getCause();
  }

  private static final class FailingChannel extends Channel {
    private final Status status;
    private final Metadata trailers;

    FailingChannel(Status status, Metadata trailers) {
      this.status = status;
      this.trailers = trailers;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return new ClientCall<>() {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          listener.onClose(status, trailers);
        }

        @Override
        public void request(int messages) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void halfClose() {}

        @Override
        public void sendMessage(Q message) {}
      };
    }

    @Override
    public String authority() {
      return "leader.test";
    }
  }
}
