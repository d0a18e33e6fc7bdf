package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.common.process.ExitCodes;
import io.kvdb.core.process.Supervisor;
import io.kvdb.core.security.AuthorizedKeys;
import io.kvdb.core.security.CurveKeyPair;
import io.kvdb.core.security.CurveServer;
import io.kvdb.core.security.GrpcSecurity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A thread the leader owns that dies is noticed. The fault is a real one: the thread is
 * interrupted, which ends each of these loops (before supervision, silently). Then the process stops serving and exits with 70
 * (recorded here instead of ending the test JVM): health NOT_SERVING on gRPC and 503 on /health,
 * and writes are refused with UNAVAILABLE instead of waiting for a writer or publisher that is gone.
 */
@Timeout(60)
class LeaderThreadDeathTest {
  private static final String NAME = LeaderThreadDeathTest.class.getName();

  @TempDir Path dir;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private LeaderServer leader;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (leader != null) {
      leader.stop();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"kv-writer", "kv-reply", "kv-pub", "kv-control", "kv-zap"})
  void aDeadThreadTurnsHealthNotServingRefusesWritesAndExitsWithSeventy(String threadName) throws Exception {
    Supervisor supervisor = new Supervisor("kv leader", exit::complete);
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    String name = NAME + "/" + threadName;
    // With CURVE, so that the ZAP handler's thread runs too.
    Optional<CurveServer> curve = Optional.of(new CurveServer(CurveKeyPair.generate(),
        AuthorizedKeys.of(List.of(CurveKeyPair.generate().publicKey()))));
    LeaderConfig config = LeaderConfig.forTest(dir).withSecurity(GrpcSecurity.NONE, curve);
    leader = new LeaderServer(config, InProcessServerBuilder.forName(name), supervisor);
    leader.start();
    channel = InProcessChannelBuilder.forName(name).build();
    put("before"); // serving

    List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(threadName) && !before.contains(t)).toList();
    assertEquals(1, threads.size(), "one " + threadName + " thread of this leader");
    threads.get(0).interrupt();

    assertEquals(ExitCodes.THREAD_DIED, exit.get(10, TimeUnit.SECONDS), "the leader did not notice the death");
    Supervisor.Death death = supervisor.death().orElseThrow();
    assertEquals(threadName, death.thread(), death.describe());
    assertEquals(ServingStatus.NOT_SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
    HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + leader.metricsPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, health.statusCode(), health.body());
    assertTrue(health.body().contains(threadName), health.body());
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> put("after"));
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.getStatus().toString());
    assertTrue(refused.getStatus().getDescription().contains(threadName), refused.getStatus().getDescription());
  }

  private void put(String key) {
    KVGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
  }
}
