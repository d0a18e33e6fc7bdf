package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static io.kvdb.testing.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.core.metrics.GrpcMetricsInterceptor;
import io.kvdb.core.storage.KvStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests a Session stream carries are counted in {@code kvdb_grpc_requests_seconds} as calls
 * of their own methods and codes, as the same requests made as unary calls would be: the HTTP
 * gateway's traffic stays visible per method on the leader's /metrics.
 */
@Timeout(60)
class SessionMetricsTest {
  @TempDir Path dir;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    pipeline = pipeline(store);
    String name = InProcessServerBuilder.generateName();
    KvService kv = new KvService(store, SHARD_OF, pipeline, Replicas.none(1), Limits.DEFAULT, 1000, Runnable::run);
    server = InProcessServerBuilder.forName(name)
        .addService(ServerInterceptors.intercept(kv, new GrpcMetricsInterceptor(registry)))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    store.close();
    registry.close();
  }

  @Test
  void eachRequestOfAStreamIsCountedAsACallOfItsMethodAndCode() throws Exception {
    List<SessionReply> replies = new CopyOnWriteArrayList<>();
    CountDownLatch answered = new CountDownLatch(3);
    StreamObserver<SessionRequest> requests = KVGrpc.newStub(channel).session(new StreamObserver<>() {
      @Override
      public void onNext(SessionReply reply) {
        replies.add(reply);
        answered.countDown();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    });
    requests.onNext(SessionRequest.newBuilder().setId(1)
        .setPut(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v"))).build());
    assertEquals(true, waitForReplies(replies, 1), "the put is answered before the gets are sent");
    requests.onNext(SessionRequest.newBuilder().setId(2).setGet(GetRequest.newBuilder().setKey("k")).build());
    requests.onNext(SessionRequest.newBuilder().setId(3).setGet(GetRequest.newBuilder().setKey("missing")).build());
    assertEquals(true, answered.await(20, TimeUnit.SECONDS), "every request answered: " + replies);

    String scrape = registry.scrape();
    assertEquals(1, value(scrape, "kvdb_grpc_requests_seconds_count{code=\"OK\",method=\"kv.v1.KV/Put\"}"));
    assertEquals(1, value(scrape, "kvdb_grpc_requests_seconds_count{code=\"OK\",method=\"kv.v1.KV/Get\"}"));
    assertEquals(1, value(scrape, "kvdb_grpc_requests_seconds_count{code=\"NOT_FOUND\",method=\"kv.v1.KV/Get\"}"));
    requests.onCompleted();
  }

  private static boolean waitForReplies(List<SessionReply> replies, int count) throws InterruptedException {
    for (int i = 0; i < 2000 && replies.size() < count; i++) {
      Thread.sleep(10);
    }
    return replies.size() >= count;
  }
}
