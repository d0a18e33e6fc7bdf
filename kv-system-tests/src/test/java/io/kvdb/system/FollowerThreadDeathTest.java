package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.process.Supervisor;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower whose replication thread dies stops serving and exits with status 70, rather than
 * serving its shards as live, with health SERVING, while nothing moves. Leader and follower in
 * one JVM over real sockets and LevelDB; the follower's exit is recorded instead of ending the JVM.
 */
@Timeout(180)
class FollowerThreadDeathTest {
  private static final int MB = 1 << 20;

  @TempDir Path dir;

  @Test
  void aReplicationThreadThatDiesWithdrawsEveryShardTurnsHealthNotServingAndExitsWithSeventy() throws Exception {
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Supervisor supervisor = new Supervisor("kv follower", exit::complete);
    Path followerDir = dir.resolve("f1");
    FollowerServer follower = new FollowerServer(FollowerConfig.forTest(followerDir, "f1", leader.pubPort(),
        leader.controlPort()), NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), supervisor);
    follower.start();
    ManagedChannel toLeader = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    ManagedChannel toFollower = NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort()).usePlaintext().build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(toLeader).withDeadlineAfter(60, TimeUnit.SECONDS);
      FollowerGrpc.FollowerBlockingStub reads = FollowerGrpc.newBlockingStub(toFollower);
      kv.put(PutRequest.newBuilder().setKey("before").setValue(ByteString.copyFromUtf8("v")).build());
      awaitReadable(reads, "before");

      // An honest fault: the data dir is deleted under the running follower (an operator's mistake).
      // LevelDB goes on in its open files until it needs a new one, after about 4 MiB of writes.
      deleteTree(followerDir);
      byte[] value = new byte[MB - 1024];
      for (int i = 0; i < 8 && !exit.isDone(); i++) {
        kv.put(PutRequest.newBuilder().setKey("big-" + i).setValue(ByteString.copyFrom(value)).build());
      }

      assertEquals(ExitCodes.THREAD_DIED, exit.get(60, TimeUnit.SECONDS), "the process exits so that it is restarted");
      Supervisor.Death death = supervisor.death().orElseThrow();
      assertEquals("kv-replica", death.thread(), death.describe());
      StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
          () -> reads.get(GetRequest.newBuilder().setKey("before").build()));
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode(), "every shard is withdrawn");
      assertEquals(ServingStatus.NOT_SERVING, HealthGrpc.newBlockingStub(toFollower)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus());
      HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + follower.metricsPort() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, health.statusCode(), health.body());
      assertTrue(health.body().contains("kv-replica"), "/health says which thread died: " + health.body());
    } finally {
      toLeader.shutdownNow();
      toFollower.shutdownNow();
      follower.stop();
      leader.stop();
    }
  }

  private static void awaitReadable(FollowerGrpc.FollowerBlockingStub reads, String key) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        reads.get(GetRequest.newBuilder().setKey(key).build());
        return;
      } catch (StatusRuntimeException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(50);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
