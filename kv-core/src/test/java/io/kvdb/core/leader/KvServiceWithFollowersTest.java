package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARDS;
import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.kvdb.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Ack;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The KV service over a real Membership with one follower "a" that holds every shard. */
@Timeout(60)
class KvServiceWithFollowersTest {
  /** Far longer than any wait in these tests: a wait that ends must end for another reason. */
  private static final int LONG_ACK_TIMEOUT_MS = 60_000;

  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private ScheduledThreadPoolExecutor timer;
  private Membership membership;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    pipeline = pipeline(store);
    timer = new ScheduledThreadPoolExecutor(1);
    timer.setRemoveOnCancelPolicy(true);
    membership = new Membership(store, PipelineFixture.anyDisk(store), SHARDS, 1, LONG_ACK_TIMEOUT_MS, timer, 0);
    membership.hello("a", "a:1", List.of(), 0);
    Assignment assignment = membership.tick(10).get("a");
    assertEquals(SHARDS, assignment.getShardsCount());
    Ack.Builder ack = Ack.newBuilder().setFollowerId("a").setAssignmentVersion(assignment.getVersion());
    assignment.getShardsList().forEach(shard -> ack.addPositions(ShardPosition.newBuilder().setShard(shard)));
    membership.ack(ack.build(), 20);
    LeaderReplicas replicas = new LeaderReplicas(membership, pipeline, () -> 30L);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new KvService(store, SHARD_OF, pipeline, replicas, Limits.DEFAULT, 1000, Runnable::run))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    timer.shutdownNow();
    store.close();
  }

  @Test
  void writesCompleteWhileAnotherThreadHoldsMembershipsLock() throws Exception {
    KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      synchronized (membership) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.start();
    assertTrue(held.await(10, TimeUnit.SECONDS));
    try {
      WriteResponse put = kv.put(put("k", 0, 0));
      assertEquals(List.of("a"), put.getFollowersList(), "the reply names the holder, read without the lock");
      WriteResponse waited = kv.put(put("k", 1, 200));
      assertEquals(0, waited.getAcks(), "no ack can come while the lock is held: the wait timed out with 0");
      assertEquals(2, waited.getSeq());
    } finally {
      release.countDown();
      holder.join();
    }
  }

  @Test
  void aCancelledCallFreesItsAckWaiterAtOnce() throws Exception {
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(() -> KVGrpc.newStub(channel).put(put("k", 1, LONG_ACK_TIMEOUT_MS), new StreamObserver<>() {
      @Override
      public void onNext(WriteResponse value) {}

      @Override
      public void onError(Throwable t) {
        outcome.complete(t);
      }

      @Override
      public void onCompleted() {
        outcome.complete(null);
      }
    }));
    waitUntil(() -> membership.pendingAckWaits() == 1, Duration.ofSeconds(10), "the write waits for a's ack");
    call.cancel(null);
    assertEquals(Status.Code.CANCELLED, Status.fromThrowable(outcome.get(10, TimeUnit.SECONDS)).getCode());
    waitUntil(() -> membership.pendingAckWaits() == 0, Duration.ofSeconds(5),
        "the cancelled call's waiter is freed long before its " + LONG_ACK_TIMEOUT_MS + " ms timeout");
    assertEquals(0, timer.getQueue().size(), "its deadline left the timer's queue too");
  }

  private static PutRequest put(String key, int minAcks, int timeoutMs) {
    return PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v"))
        .setWait(WaitForAcks.newBuilder().setMinAcks(minAcks).setTimeoutMs(timeoutMs)).build();
  }
}
