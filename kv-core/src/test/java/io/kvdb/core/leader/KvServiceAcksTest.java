package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.core.leader.Replicas;
import io.kvdb.core.storage.KvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a write that waits for acks asks the replicas, and what its reply carries. */
@Timeout(60)
class KvServiceAcksTest {
  private static final long DEFAULT_ACK_TIMEOUT_MS = 1234;

  /** Two followers hold every shard; every wait reports both as acked. */
  private static final class FakeReplicas implements Replicas {
    final List<String> waits = new ArrayList<>();

    @Override
    public List<String> holdersOf(int shard) {
      return List.of("f-1", "f-2");
    }

    @Override
    public int replicationFactor() {
      return 2;
    }

    @Override
    public synchronized CompletableFuture<Integer> awaitAcks(int shard, long seq, int minAcks, long timeoutMs) {
      waits.add(shard + "/" + seq + " min " + minAcks + " within " + timeoutMs);
      return CompletableFuture.completedFuture(2);
    }
  }

  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private ManagedChannel channel;
  private final FakeReplicas replicas = new FakeReplicas();
  private KVGrpc.KVBlockingStub kv;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, true);
    pipeline = pipeline(store);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new KvService(store, SHARD_OF, pipeline, replicas, Limits.DEFAULT, DEFAULT_ACK_TIMEOUT_MS, Runnable::run))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    store.close();
  }

  @Test
  void writeWithoutWaitAsksNoAcksButNamesTheHolders() {
    WriteResponse put = kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
    assertEquals(List.of("f-1", "f-2"), put.getFollowersList());
    assertEquals(0, put.getAcks());
    assertEquals(List.of(), replicas.waits);
  }

  @Test
  void putWaitsForItsOwnShardAndSeq() {
    int shard = SHARD_OF.shardOf("k");
    WriteResponse put = kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(2).setTimeoutMs(500)).build());
    assertEquals(2, put.getAcks());
    assertEquals(List.of(shard + "/1 min 2 within 500"), replicas.waits);
  }

  @Test
  void zeroTimeoutMeansTheLeadersDefault() {
    kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(1)).build());
    assertEquals(List.of(SHARD_OF.shardOf("k") + "/1 min 1 within 1234"), replicas.waits);
  }

  @Test
  void largestUint32TimeoutStaysPositive() {
    kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(1).setTimeoutMs(-1)).build());
    assertEquals(List.of(SHARD_OF.shardOf("k") + "/1 min 1 within 4294967295"), replicas.waits);
  }

  @Test
  void deleteWaitsLikePut() {
    kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
    WriteResponse deleted = kv.delete(DeleteRequest.newBuilder().setKey("k")
        .setWait(WaitForAcks.newBuilder().setMinAcks(2).setTimeoutMs(10)).build());
    assertEquals(2, deleted.getAcks());
    assertEquals(List.of(SHARD_OF.shardOf("k") + "/2 min 2 within 10"), replicas.waits);
  }
}
