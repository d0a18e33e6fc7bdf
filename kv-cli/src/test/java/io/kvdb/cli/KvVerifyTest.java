package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.client.FollowerClient;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv verify} against a real leader and two real followers in this JVM (replication over
 * ZeroMQ, gRPC over loopback TCP). Follower f2 is reached through a relay that can damage what it
 * reports, as a disk fault or a lost leader tail would: the leader lists the relay's address for
 * f2, so verify asks f2 through it.
 */
@Timeout(180)
class KvVerifyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static LeaderServer leader;
  private static FollowerServer f1;
  private static FollowerServer f2;
  private static Server relay;
  private static FollowerClient toF2;
  private static final AtomicReference<Damage> damage = new AtomicReference<>(Damage.NONE);

  /** What the relay does to f2's digest of the first shard it reports. */
  private enum Damage { NONE, DIGEST, AHEAD }


  @BeforeAll
  static void start() throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    f1 = new FollowerServer(FollowerConfig.forTest(dir.resolve("f1"), "f1", leader.pubPort(), leader.controlPort()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    f1.start();
    relay = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Relay()).build().start();
    f2 = new FollowerServer(new FollowerConfig("f2", "127.0.0.1", leader.pubPort(), leader.controlPort(), "127.0.0.1",
        0, "127.0.0.1:" + relay.getPort(), 0, dir.resolve("f2"), false, 1000),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    f2.start();
    toF2 = FollowerClient.connect("127.0.0.1:" + f2.grpcPort(), KvOptions.DEFAULT);
    awaitVerify("both followers hold their shards and are caught up",
        out -> out.contains("8 shard copies match the leader, 0 lagging"));
  }

  @AfterAll
  static void stop() throws Exception {
    toF2.close();
    relay.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    f2.stop();
    f1.stop();
    leader.stop();
  }

  @Test
  void verifyDuringAWriteLoadReportsNoDifference() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong written = new AtomicLong();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Thread> writers = new ArrayList<>();
    try (KvClient client = KvClient.connect("127.0.0.1:" + leader.grpcPort(), KvOptions.DEFAULT)) {
      for (int w = 0; w < 4; w++) {
        int writer = w;
        Thread thread = new Thread(() -> {
          try {
            for (int i = 0; !stop.get(); i++) {
              client.put("load/" + writer + "/" + (i % 200), ByteString.copyFromUtf8("v" + i));
              written.incrementAndGet();
            }
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }, "load-" + w);
        writers.add(thread);
        thread.start();
      }
      try {
        for (int run = 0; run < 5; run++) {
          long before = written.get();
          Result verify = kv("verify");
          awaitMore(written, before, failure);
          assertNull(failure.get(), "the load kept writing");
          assertEquals(0, verify.code(), "run " + run + ":\n" + verify.out() + verify.err());
          assertTrue(verify.out().contains(", 0 differ,"), verify.out());
        }
      } finally {
        stop.set(true);
        for (Thread thread : writers) {
          thread.join(10_000);
        }
      }
    }
    awaitVerify("the followers caught up after the load", out -> out.contains("0 lagging"));
  }

  @Test
  void aDamagedCopyStillDiffers() throws Exception {
    damage.set(Damage.DIGEST);
    try {
      Result verify = kv("verify");
      assertEquals(1, verify.code(), verify.out() + verify.err());
      assertTrue(verify.out().contains(", 1 differ,"), verify.out());
      assertTrue(verify.out().lines().anyMatch(line -> line.startsWith("f2 shard ")), "names the copy: " + verify.out());

      Result json = kv("--json", "verify");
      assertEquals(1, json.code(), json.out() + json.err());
      JsonNode report = JSON.readTree(json.out());
      assertFalse(report.get("ok").asBoolean(), json.out());
      assertEquals(1, report.get("differing").asInt(), json.out());
      List<JsonNode> differing = new ArrayList<>();
      report.get("copies").forEach(copy -> {
        if (copy.get("verdict").asText().equals("differing")) {
          differing.add(copy);
        }
      });
      assertEquals(1, differing.size(), json.out());
      JsonNode copy = differing.get(0);
      assertEquals("f2", copy.get("follower").asText());
      assertEquals(copy.get("seq"), copy.get("leader").get("seq"), "the same seq, another digest: " + copy);
      assertFalse(copy.get("digest").equals(copy.get("leader").get("digest")), copy.toString());
    } finally {
      damage.set(Damage.NONE);
    }
  }

  @Test
  void aCopyStillAheadOfTheLeaderAfterARecheckIsALostTail() {
    damage.set(Damage.AHEAD);
    try {
      Result verify = kv("verify");
      assertEquals(1, verify.code(), verify.out() + verify.err());
      assertTrue(verify.out().contains(" 0 differ, 1 ahead of the leader"), verify.out());
      assertTrue(verify.out().lines().anyMatch(line -> line.startsWith("f2 shard ") && line.contains("ahead")),
          verify.out());
    } finally {
      damage.set(Damage.NONE);
    }
    assertFalse(kv("verify").out().contains("1 ahead"), "undamaged again");
  }

  /** Waits until the load wrote more than {@code before}: it went on while verify ran. */
  private static void awaitMore(AtomicLong written, long before, AtomicReference<RuntimeException> failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (written.get() <= before && failure.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertTrue(written.get() > before, "the load is running");
  }

  /** Relays Status and ShardDigests to f2, damaging one digest as {@link #damage} says. */
  private static final class Relay extends FollowerGrpc.FollowerImplBase {
    @Override
    public void status(FollowerStatusRequest request, StreamObserver<FollowerStatusResponse> response) {
      response.onNext(toF2.status());
      response.onCompleted();
    }

    @Override
    public void shardDigests(ShardDigestsRequest request, StreamObserver<ShardDigestsResponse> response) {
      List<ShardDigest> digests = new ArrayList<>(toF2.shardDigests(
          request.getShardsList().stream().mapToInt(Integer::intValue).toArray()));
      if (!digests.isEmpty()) {
        ShardDigest first = digests.get(0);
        switch (damage.get()) {
          case DIGEST -> digests.set(0, first.toBuilder().setDigest(first.getDigest() ^ 1).build());
          case AHEAD -> digests.set(0, first.toBuilder().setSeq(first.getSeq() + 1).build());
          case NONE -> { }
        }
      }
      response.onNext(ShardDigestsResponse.newBuilder().addAllDigests(digests).build());
      response.onCompleted();
    }
  }

  /** Runs verify until its output satisfies {@code settled} (30 s at most). */
  private static void awaitVerify(String what, Predicate<String> settled) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Result verify = kv("verify");
    while (!settled.test(verify.out()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      verify = kv("verify");
    }
    assertTrue(settled.test(verify.out()), "timed out waiting until " + what + ":\n" + verify.out() + verify.err());
    List<FollowerInfo> followers = status().getFollowersList();
    assertTrue(followers.stream().allMatch(f -> f.getShardsCount() > 0), "each follower holds shards: " + followers);
  }

  private static io.kvdb.api.v1.StatusResponse status() {
    try (KvClient client = KvClient.connect("127.0.0.1:" + leader.grpcPort(), KvOptions.DEFAULT)) {
      return client.status();
    }
  }

  private static Result kv(String... args) {
    return CliRun.run(CliRun.withLeader("127.0.0.1:" + leader.grpcPort(), args));
  }
}
