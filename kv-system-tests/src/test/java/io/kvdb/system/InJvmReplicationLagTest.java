package io.kvdb.system;

import static io.kvdb.testing.Conditions.waitUntil;
import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.ClusterGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.LagSummary;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.api.v1.StatusRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's replication lag histogram, with a real leader and a real follower in one JVM over
 * real sockets: writes that waited for the follower's ack show on the leader's /metrics as
 * {@code kv_replication_lag_ms} and in Cluster.Status as its summary of the last minute.
 */
@Timeout(120)
class InJvmReplicationLagTest {
  private static final int WRITES = 30;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  @Test
  void acksOfWritesShowAsTheLagHistogramOnMetricsAndInClusterStatus() throws Exception {
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    FollowerServer follower = new FollowerServer(
        FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    ManagedChannel toLeader = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    try {
      ClusterGrpc.ClusterBlockingStub cluster = ClusterGrpc.newBlockingStub(toLeader);
      waitUntil(() -> {
        StatusResponse status = status(cluster);
        return status.getFollowersCount() == 1 && status.getFollowers(0).getShardsCount() == 8
            && status.getFollowers(0).getIncomingShardsCount() == 0 && status.getUnplacedShardsCount() == 0;
      }, Duration.ofSeconds(60), "the leader sees f1 holding all 8 shards, none incoming");
      assertEquals(0, status(cluster).getReplicationLag().getCount(), "no write acked yet: no sample");

      long started = System.nanoTime();
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(toLeader);
      for (int i = 0; i < WRITES; i++) {
        // Each write waits for f1's ack, so each is acked by an ack of its own.
        WriteResponse put = kv.withDeadlineAfter(30, TimeUnit.SECONDS).put(PutRequest.newBuilder().setKey("key-" + i)
            .setValue(ByteString.copyFromUtf8("v" + i))
            .setWait(WaitForAcks.newBuilder().setMinAcks(1).setTimeoutMs(10_000)).build());
        assertEquals(1, put.getAcks(), "write " + i + " acked by f1");
      }
      double elapsedMs = (System.nanoTime() - started) / 1e6;

      String scrape = scrape(leader.metricsPort());
      double count = value(scrape, "kv_replication_lag_ms_count{follower=\"f1\"}");
      assertTrue(count >= 1, "at least one ack advanced a shard: " + count);
      assertTrue(count <= WRITES, "at most one sample per shard an ack advances, here one per write: " + count);
      double max = value(scrape, "kv_replication_lag_ms_max{follower=\"f1\"}");
      double sum = value(scrape, "kv_replication_lag_ms_sum{follower=\"f1\"}");
      assertTrue(max >= 0 && max <= elapsedMs, "each lag is within the writes' own time, " + elapsedMs + " ms: " + max);
      assertTrue(sum >= 0 && sum <= count * max, "sum " + sum + " of " + count + " samples of at most " + max);
      assertEquals(count, value(scrape, "kv_replication_lag_ms_bucket{follower=\"f1\",le=\"+Inf\"}"),
          "a histogram with buckets, for Prometheus' quantiles");

      LagSummary lag = status(cluster).getReplicationLag();
      assertEquals((long) count, lag.getCount(), "Cluster.Status summarises the same samples");
      assertEquals(60, lag.getWindowSeconds());
      assertTrue(0 <= lag.getP50Ms() && lag.getP50Ms() <= lag.getP99Ms() && lag.getP99Ms() <= lag.getP999Ms()
          && lag.getP999Ms() <= lag.getMaxMs() && lag.getMaxMs() <= elapsedMs, "ordered and bounded: " + lag);
      assertEquals(max, lag.getMaxMs(), 0.0, "the same largest sample");
      FollowerInfo f1 = status(cluster).getFollowers(0);
      assertEquals(WRITES, f1.getAppliedTotal());
    } finally {
      toLeader.shutdownNow();
      follower.stop();
      leader.stop();
    }
  }

  private static StatusResponse status(ClusterGrpc.ClusterBlockingStub cluster) {
    return cluster.withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
  }

  private String scrape(int port) {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
