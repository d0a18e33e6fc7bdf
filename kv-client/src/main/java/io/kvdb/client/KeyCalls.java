package io.kvdb.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.client.Calls.Kind;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Get, put and delete of one key, on the {@link Session} stream when {@link KvOptions#session()}
 * says so and as unary calls otherwise; a missing key is an empty answer, not an error.
 */
final class KeyCalls {
  private final Calls calls;

  KeyCalls(Calls calls) {
    this.calls = calls;
  }

  /** A put of {@code value} that waits for the acks the options ask for. */
  PutRequest.Builder putRequest(String key, ByteString value) {
    return PutRequest.newBuilder().setKey(key).setValue(value).setWait(waitForAcks());
  }

  /** A delete that waits for the acks the options ask for. */
  DeleteRequest.Builder deleteRequest(String key) {
    return DeleteRequest.newBuilder().setKey(key).setWait(waitForAcks());
  }

  WriteResponse put(PutRequest request) {
    if (calls.options().session()) {
      return calls.sessionBlocking(SessionRequest.newBuilder().setPut(request), Kind.WRITE).getWrite();
    }
    return calls.blocking(KVGrpc.getPutMethod(), request, Kind.WRITE);
  }

  CompletableFuture<WriteResponse> putAsync(PutRequest request) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setPut(request), Kind.WRITE)
          .thenApply(SessionReply::getWrite);
    }
    return calls.async(KVGrpc.getPutMethod(), request, Kind.WRITE);
  }

  Optional<GetResponse> get(String key) {
    try {
      if (calls.options().session()) {
        return Optional.of(calls.sessionBlocking(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
            .getGet());
      }
      return Optional.of(calls.blocking(KVGrpc.getGetMethod(), getRequest(key), Kind.READ));
    } catch (KvException e) {
      return notFound(e);
    }
  }

  CompletableFuture<Optional<GetResponse>> getAsync(String key) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setGet(getRequest(key)), Kind.READ)
          .handle((reply, error) -> error == null ? Optional.of(reply.getGet()) : notFound(error));
    }
    return calls.async(KVGrpc.getGetMethod(), getRequest(key), Kind.READ)
        .handle((reply, error) -> error == null ? Optional.of(reply) : notFound(error));
  }

  Optional<WriteResponse> delete(DeleteRequest request) {
    try {
      if (calls.options().session()) {
        return Optional.of(calls.sessionBlocking(SessionRequest.newBuilder().setDelete(request), Kind.WRITE)
            .getWrite());
      }
      return Optional.of(calls.blocking(KVGrpc.getDeleteMethod(), request, Kind.WRITE));
    } catch (KvException e) {
      return notFound(e);
    }
  }

  CompletableFuture<Optional<WriteResponse>> deleteAsync(DeleteRequest request) {
    if (calls.options().session()) {
      return calls.session(SessionRequest.newBuilder().setDelete(request), Kind.WRITE)
          .handle((reply, error) -> error == null ? Optional.of(reply.getWrite()) : notFound(error));
    }
    return calls.async(KVGrpc.getDeleteMethod(), request, Kind.WRITE)
        .handle((reply, error) -> error == null ? Optional.of(reply) : notFound(error));
  }

  private static GetRequest getRequest(String key) {
    return GetRequest.newBuilder().setKey(key).build();
  }

  private WaitForAcks waitForAcks() {
    KvOptions options = calls.options();
    return WaitForAcks.newBuilder().setMinAcks(options.minAcks())
        .setTimeoutMs((int) options.ackTimeout().toMillis()).build(); // a uint32 on the wire: bounded by KvOptions
  }

  /** Empty for NOT_FOUND, the answer for a missing key; any other failure goes on to the caller. */
  private static <T> Optional<T> notFound(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    KvException failure = KvException.of(cause, 1);
    if (failure.code() == Status.Code.NOT_FOUND) {
      return Optional.empty();
    }
    throw failure;
  }
}
