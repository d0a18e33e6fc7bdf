package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.keysInShard;
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
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.core.storage.KvStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster.Status lists the shards a rebuild found no copy of ({@code missing_shards}): the same
 * shards whose writes the pipeline refuses, over a real LevelDB and in-process gRPC.
 */
@Timeout(60)
class MissingShardsStatusTest {
  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    pipeline = pipeline(store);
    Replicas alone = Replicas.none(1);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new KvService(store, PipelineFixture.SHARD_OF, pipeline, alone, Limits.DEFAULT, 1000, Runnable::run))
        .addService(new ClusterService(pipeline, alone, false))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    store.close();
  }

  @Test
  void statusListsTheRefusedShardsInShardOrderAndNoneOnceAccepted() {
    assertEquals(List.of(), status().getMissingShardsList(), "a leader that was not rebuilt misses nothing");

    pipeline.refuseShards(Set.of(6, 2));
    assertEquals(List.of(2, 6), status().getMissingShardsList());
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> put(keysInShard(6, 1).get(0)));
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
    assertTrue(refused.getStatus().getDescription().startsWith("shard 6 is missing"), refused.getStatus().toString());
    put(keysInShard(3, 1).get(0)); // a shard that is not missing takes writes

    pipeline.refuseShards(Set.of());
    assertEquals(List.of(), status().getMissingShardsList(), "accepted empty: nothing is missing any more");
    put(keysInShard(6, 1).get(0));
  }

  private io.kvdb.api.v1.StatusResponse status() {
    return ClusterGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .status(StatusRequest.getDefaultInstance());
  }

  private void put(String key) {
    KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
  }
}
