package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.core.storage.KvStore;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower's read API on a real data dir, with a read view the test changes under it. */
class FollowerReadServiceTest {
  private static final int SHARDS = 4;

  @TempDir Path dir;
  private KvStore store;

  @BeforeEach
  void open() {
    store = KvStore.open(dir, false);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aShardWithdrawnDuringAGetIsFailedPreconditionNotNotFound() {
    // The shard is live when the get looks, and withdrawn (its data then dropped) before it answers.
    FollowerReadService service = new FollowerReadService(store, viewWithdrawnAfterFirstLook(), () -> null);
    CompletableFuture<Status> status = new CompletableFuture<>();
    service.get(GetRequest.newBuilder().setKey("gone").build(), observer(status));
    assertEquals(Status.Code.FAILED_PRECONDITION, status.join().getCode(), String.valueOf(status.join()));
  }

  /** Every shard live at the first look, none from then on. */
  private static java.util.function.Supplier<FollowerReadService.Readable> viewWithdrawnAfterFirstLook() {
    AtomicInteger looks = new AtomicInteger();
    return () -> looks.getAndIncrement() == 0 ? new FollowerReadService.Readable(SHARDS, shard -> true)
        : new FollowerReadService.Readable(SHARDS, shard -> false);
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<Status> status) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        status.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        status.complete(Status.OK);
      }
    };
  }
}
