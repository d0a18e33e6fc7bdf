package io.kvdb.system;

import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import io.kvdb.testing.PrometheusText;
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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What /metrics of a leader and of its follower show once writes were replicated: one JVM, real sockets. */
@Timeout(120)
class InJvmMetricsTest {
  private static final int WRITES = 20;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir Path dir;

  @Test
  void theFollowerShowsItsApplyTimeAndTheLeaderItsLag() throws Exception {
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    FollowerServer follower = new FollowerServer(
        FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    ManagedChannel toLeader = NettyChannelBuilder.forAddress("127.0.0.1", leader.grpcPort()).usePlaintext().build();
    ManagedChannel toFollower = NettyChannelBuilder.forAddress("127.0.0.1", follower.grpcPort()).usePlaintext().build();
    try {
      // Live first, so that the writes reach the follower as live events.
      awaitScrape(() -> scrape(follower.metricsPort()), s -> value(s, "kvdb_follower_shards_live") == 8,
          "the follower holds and serves all 8 shards");
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(toLeader).withDeadlineAfter(30, TimeUnit.SECONDS);
      for (int i = 0; i < WRITES; i++) {
        kv.put(PutRequest.newBuilder().setKey("key-" + i).setValue(ByteString.copyFromUtf8("v" + i)).build());
      }
      String fromFollower = awaitScrape(() -> scrape(follower.metricsPort()),
          s -> value(s, "kvdb_follower_events_applied_total") == WRITES, "the follower applied every write");
      assertTrue(value(fromFollower, "kvdb_follower_apply_seconds_count") >= 1);
      assertTrue(value(fromFollower, "kvdb_follower_apply_seconds_sum") > 0);
      assertTrue(fromFollower.contains("\nkvdb_follower_apply_seconds_bucket{le=\""), "apply time is a histogram");
      assertEquals(WRITES, value(fromFollower, "kvdb_follower_applied"));
      assertEquals(8, value(fromFollower, "kvdb_follower_shards_assigned"));
      assertTrue(fromFollower.contains("\njvm_memory_used_bytes{"), "JVM meters");
      assertTrue(fromFollower.contains("\nprocess_uptime_seconds "), "process meters");

      FollowerGrpc.newBlockingStub(toFollower).withDeadlineAfter(10, TimeUnit.SECONDS)
          .status(FollowerStatusRequest.getDefaultInstance());
      String afterCall = scrape(follower.metricsPort());
      assertEquals(1, value(afterCall, "kvdb_grpc_requests_seconds_count{code=\"OK\",method=\"kv.v1.Follower/Status\"}"));
      assertEquals(1, value(afterCall,
          "kvdb_grpc_requests_seconds_bucket{code=\"OK\",method=\"kv.v1.Follower/Status\",le=\"+Inf\"}"));

      String fromLeader = awaitScrape(() -> scrape(leader.metricsPort()),
          s -> PrometheusText.find(s, "kvdb_replication_lag_events{follower=\"f1\"}").orElse(-1.0) == 0,
          "the leader sees f1 caught up");
      assertEquals(0, value(fromLeader, "kvdb_replication_lag_seconds{follower=\"f1\"}"));
      assertEquals(1, value(fromLeader, "kvdb_followers_alive"));
      assertEquals(0, value(fromLeader, "kvdb_followers_lag_events_max"));
      assertEquals(WRITES, value(fromLeader, "kvdb_write_batch_size_sum"));
    } finally {
      toLeader.shutdownNow();
      toFollower.shutdownNow();
      follower.stop();
      leader.stop();
    }
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

  /** Scrapes until {@code done} holds (a sample missing counts as not yet), for at most 60 s. */
  private static String awaitScrape(Supplier<String> scrape, Predicate<String> done, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = scrape.get();
      try {
        if (done.test(last)) {
          return last;
        }
      } catch (AssertionError missing) {
        // not registered yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting until " + what + "; last scrape:\n" + last);
  }
}
