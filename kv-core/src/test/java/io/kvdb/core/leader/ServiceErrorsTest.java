package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARDS;
import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StorageException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failing data dir reads the same on every method of the leader's services: UNAVAILABLE with a
 * description. The store is really closed under the services: LevelDB then fails every read and
 * write, as it does on an I/O error.
 */
@Timeout(60)
class ServiceErrorsTest {
  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private ManagedChannel channel;
  private KVGrpc.KVBlockingStub kv;
  private ClusterGrpc.ClusterBlockingStub cluster;
  private volatile boolean replicasFail;

  /** No followers; while {@code replicasFail}, reading them fails as a broken data dir would. */
  private final Replicas replicas = new Replicas() {
    @Override
    public List<String> holdersOf(int shard) {
      return List.of();
    }

    @Override
    public int replicationFactor() {
      return 1;
    }

    @Override
    public CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
      return CompletableFuture.completedFuture(0);
    }

    @Override
    public List<FollowerInfo> followers() {
      if (replicasFail) {
        throw new StorageException("the follower records cannot be read");
      }
      return List.of();
    }
  };

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    pipeline = pipeline(store);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new KvService(store, SHARD_OF, pipeline, replicas, Limits.DEFAULT, 1000, Runnable::run))
        .addService(new ClusterService(pipeline, replicas, false))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    cluster = ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    store.close();
  }

  @Test
  void aFailingDataDirIsUnavailableOnGetListPutAndDelete() {
    store.close();
    assertUnavailable(() -> kv.get(GetRequest.newBuilder().setKey("k").build()));
    assertUnavailable(() -> kv.list(ListRequest.newBuilder().setLimit(10).build()));
    assertUnavailable(() -> kv.put(PutRequest.newBuilder().setKey("k2").setValue(ByteString.copyFromUtf8("v")).build()));
    assertUnavailable(() -> kv.delete(DeleteRequest.newBuilder().setKey("k").build()));
  }

  @Test
  void aFailingDataDirIsUnavailableOnClusterStatus() {
    replicasFail = true;
    assertUnavailable(() -> cluster.status(StatusRequest.getDefaultInstance()));
  }

  @Test
  void theServicesKeepTheirOwnCodesForBadRequests() {
    StatusRuntimeException missing =
        assertThrows(StatusRuntimeException.class, () -> kv.get(GetRequest.newBuilder().setKey("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    StatusRuntimeException noShard = assertThrows(StatusRuntimeException.class,
        () -> cluster.shardDigests(ShardDigestsRequest.newBuilder().addShards(SHARDS).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, noShard.getStatus().getCode());
    assertTrue(noShard.getStatus().getDescription().contains("does not exist"), noShard.getStatus().getDescription());
  }

  static void assertUnavailable(Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), String.valueOf(e.getStatus()));
    assertTrue(e.getStatus().getDescription().contains("data dir"), e.getStatus().getDescription());
  }
}
