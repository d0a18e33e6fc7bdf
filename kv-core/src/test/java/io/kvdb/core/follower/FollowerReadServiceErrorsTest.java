package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.core.storage.KvStore;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A follower's failing data dir reads as on the leader: UNAVAILABLE with a description, on every read. */
@Timeout(60)
class FollowerReadServiceErrorsTest {
  private static final int SHARDS = 8;

  @TempDir Path dir;
  private KvStore store;
  private Server server;
  private ManagedChannel channel;
  private FollowerGrpc.FollowerBlockingStub follower;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    FollowerReadService reads = new FollowerReadService(store,
        () -> new FollowerReadService.Readable(SHARDS, shard -> true), FollowerStatusResponse::getDefaultInstance);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(reads).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    follower = FollowerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  @Test
  void aFailingDataDirIsUnavailableOnGetListAndDigests() {
    store.close(); // LevelDB now fails every read, as on an I/O error
    assertUnavailable(() -> follower.get(GetRequest.newBuilder().setKey("k").build()));
    assertUnavailable(() -> follower.list(ListRequest.newBuilder().setLimit(10).build()));
    assertUnavailable(() -> follower.shardDigests(ShardDigestsRequest.getDefaultInstance()));
  }

  @Test
  void aShardThatDoesNotExistIsStillInvalid() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> follower.shardDigests(ShardDigestsRequest.newBuilder().addShards(SHARDS).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  private static void assertUnavailable(Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    assertTrue(e.getStatus().getDescription().contains("data dir"), e.getStatus().getDescription());
  }
}
