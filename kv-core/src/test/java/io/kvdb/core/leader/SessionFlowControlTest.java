package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.SessionReply;
import io.kvdb.api.v1.SessionRequest;
import io.kvdb.core.config.Limits;
import io.kvdb.core.storage.KvStore;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's Session stream reads requests only as fast as its client takes the replies: a
 * client that reads no reply can send {@link SessionStream#WINDOW} requests and no more (the
 * in-process transport's flow control counts messages, so the bound is exact), and once it reads,
 * every request is answered.
 */
@Timeout(60)
class SessionFlowControlTest {
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
        .addService(new KvService(store, SHARD_OF, pipeline, alone, Limits.DEFAULT, 1000, Runnable::run))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pipeline.close();
    store.close();
  }

  @Test
  void aClientThatReadsNoReplyCanSendOnlyTheWindow() throws Exception {
    int total = 3 * SessionStream.WINDOW;
    Set<Long> answered = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> allAnswered = new CompletableFuture<>();
    CountDownLatch ready = new CountDownLatch(1);
    Object readyMonitor = new Object();
    ClientCallStreamObserver<SessionRequest>[] requests = new ClientCallStreamObserver[1];
    KVGrpc.newStub(channel).session(new ClientResponseObserver<SessionRequest, SessionReply>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<SessionRequest> stream) {
        requests[0] = stream;
        stream.disableAutoRequestWithInitial(0); // reads no reply until told
        stream.setOnReadyHandler(() -> {
          ready.countDown();
          synchronized (readyMonitor) {
            readyMonitor.notifyAll();
          }
        });
      }

      @Override
      public void onNext(SessionReply reply) {
        assertEquals("v", reply.getGet().getValue().toStringUtf8());
        answered.add(reply.getId());
        if (answered.size() == total) {
          allAnswered.complete(null);
        }
      }

      @Override
      public void onError(Throwable error) {
        allAnswered.completeExceptionally(error);
      }

      @Override
      public void onCompleted() {}
    });
    ClientCallStreamObserver<SessionRequest> stream = requests[0];
    assertTrue(ready.await(10, TimeUnit.SECONDS), "the leader asked for requests");
    int sent = 0;
    while (stream.isReady() && sent < total) {
      stream.onNext(get(sent++));
    }
    assertEquals(SessionStream.WINDOW, sent, "the leader asked for its window and no more while no reply was read");
    assertFalse(stream.isReady());

    stream.request(Integer.MAX_VALUE); // now read every reply: the leader asks for more as they go out
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sent < total && System.nanoTime() < until) {
      if (stream.isReady()) {
        stream.onNext(get(sent++));
      } else {
        synchronized (readyMonitor) {
          readyMonitor.wait(10);
        }
      }
    }
    assertEquals(total, sent);
    allAnswered.get(30, TimeUnit.SECONDS);
    assertEquals(total, answered.size(), "every id answered once");
    stream.onCompleted();
  }

  private static SessionRequest get(long id) {
    return SessionRequest.newBuilder().setId(id).setGet(GetRequest.newBuilder().setKey("k")).build();
  }

}
