package io.kvdb.leader;

import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StorageException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and restarting a leader in this JVM, on a real data dir. */
@Timeout(60)
class LeaderServerTest {
  private static final String PREFIX = LeaderServerTest.class.getName() + "/";
  @TempDir Path dir;

  /** A started leader served in-process under {@code name}. */
  private LeaderServer start(LeaderConfig config, String name) throws Exception {
    LeaderServer leader = new LeaderServer(config, InProcessServerBuilder.forName(PREFIX + name));
    leader.start();
    return leader;
  }

  @Test
  void restartKeepsTheDataAndIdAndBumpsTheEpoch() throws Exception {
    LeaderServer first = start(LeaderConfig.forTest(dir), "first");
    try {
      call("first", kv -> kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build()));
    } finally {
      first.stop();
    }
    LeaderServer second = start(LeaderConfig.forTest(dir), "second");
    try {
      assertEquals(first.metadata().leaderId(), second.metadata().leaderId());
      assertTrue(second.metadata().epoch() > first.metadata().epoch());
      assertEquals("v", call("second", kv -> kv.get(GetRequest.newBuilder().setKey("k").build())).getValue().toStringUtf8());
    } finally {
      second.stop();
    }
  }

  @Test
  void restartWithAnotherShardCountIsRefusedAndReleasesTheDir() throws Exception {
    start(LeaderConfig.forTest(dir), "created").stop();
    LeaderConfig sixteen = TestLeader.withShards(LeaderConfig.forTest(dir), OptionalInt.of(16));
    StorageException e = assertThrows(StorageException.class, () -> start(sixteen, "refused"));
    assertTrue(e.getMessage().contains("was created with 8 shards; --shards 16 would move every key"), e.getMessage());
    start(LeaderConfig.forTest(dir), "again").stop();
  }

  @Test
  void secondLeaderOnTheSameDirIsRefusedAsLocked() throws Exception {
    LeaderServer first = start(LeaderConfig.forTest(dir), "holder");
    try {
      StorageException e = assertThrows(StorageException.class, () -> start(LeaderConfig.forTest(dir), "intruder"));
      assertTrue(e.getMessage().contains("is locked: another kvdb process is using it"), e.getMessage());
      call("holder", kv -> kv.put(PutRequest.newBuilder().setKey("still").setValue(ByteString.EMPTY).build()));
    } finally {
      first.stop();
    }
  }

  @Test
  void healthAndMetricsAreServedOverHttp() throws Exception {
    LeaderServer leader = start(LeaderConfig.forTest(dir), "http");
    try {
      call("http", kv -> kv.put(PutRequest.newBuilder().setKey("k").setValue(ByteString.EMPTY).build()));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + leader.metricsPort();

      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertEquals("{\"status\":\"SERVING\",\"role\":\"leader\",\"leaderId\":\"" + leader.metadata().leaderId()
          + "\",\"epoch\":" + leader.metadata().epoch() + "}", health.body());

      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      assertEquals(leader.metadata().epoch(), value(metrics.body(), "kvdb_leader_epoch"));
      assertEquals(1, value(metrics.body(), "kvdb_keys"));
      assertEquals(1, value(metrics.body(), "kvdb_grpc_requests_seconds_count{code=\"OK\",method=\"kv.v1.KV/Put\"}"));

      HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, other.statusCode());
    } finally {
      leader.stop();
    }
  }

  @Test
  void stopClosesTheDataDirAndMayBeCalledTwice() throws Exception {
    LeaderServer leader = start(LeaderConfig.forTest(dir), "twice");
    leader.stop();
    leader.stop();
    try (KvStore store = KvStore.open(dir, false)) {
      assertEquals(8, store.metaLong("shards", 0), "the dir is unlocked and holds the leader's metadata");
    }
  }

  private static <T> T call(String name, Function<KVGrpc.KVBlockingStub, T> body) throws Exception {
    ManagedChannel channel = InProcessChannelBuilder.forName(PREFIX + name).build();
    try {
      return body.apply(KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
