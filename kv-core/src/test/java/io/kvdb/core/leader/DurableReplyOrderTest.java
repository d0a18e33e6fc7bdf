package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.leader.Replicas;
import io.kvdb.core.storage.KvStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * In durable mode a write is answered only after its batch was synced. kill -9 cannot show this
 * (the page cache survives it), so the real committer is held at a gate: while the batch is not
 * committed no reply may exist; once it is, the reply comes and the data is in the data dir. The
 * order is recorded as it happens (the commit returning, the server sending the reply), so the
 * test needs no window of time in which a reply "should not" come.
 */
@Timeout(60)
class DurableReplyOrderTest {
  private static final String KEY = "durable-key";
  private static final int SHARD = SHARD_OF.shardOf(KEY);

  @TempDir Path dir;
  private KvStore store;
  private WritePipeline pipeline;
  private Server server;
  private ManagedChannel channel;
  private GatedCommitter gate;
  /** What happened, in order: "committed" when the real commit returned, "replied" when the server sent a reply. */
  private final List<String> order = new CopyOnWriteArrayList<>();

  /** Starts the service over a gated pipeline; with {@code preload}, KEY is stored first (ungated). */
  private KVGrpc.KVFutureStub start(boolean preload) throws Exception {
    store = KvStore.open(dir, true);
    if (preload) {
      try (WritePipeline plain = pipeline(store)) {
        plain.put(KEY, bytes("v")).get(10, TimeUnit.SECONDS);
      }
    }
    gate = new GatedCommitter(store);
    pipeline = pipeline(store, 1, 1000, new BacklogPins(), EventSink.NONE, batch -> {
      gate.commit(batch);
      order.add("committed");
    });
    KvService kv = new KvService(store, SHARD_OF, pipeline, Replicas.none(1), Limits.DEFAULT, 1000, Runnable::run);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(ServerInterceptors.intercept(kv, recordReplies()))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    return KVGrpc.newFutureStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (pipeline != null) {
      gate.open();
      pipeline.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void putIsAnsweredOnlyAfterItsBatchIsSyncedToDisk() throws Exception {
    KVGrpc.KVFutureStub kv = start(false);
    assertTrue(store.syncWrites(), "the leader's default mode syncs every batch");
    ListenableFuture<WriteResponse> reply = kv.put(PutRequest.newBuilder()
        .setKey(KEY).setValue(ByteString.copyFromUtf8("v")).build());
    gate.awaitBlocked();

    assertEquals(List.of(), order, "a reply was sent while its batch was not committed");
    assertFalse(reply.isDone());
    assertTrue(store.get(SHARD, bytes(KEY)).isEmpty(), "nothing is written before the commit");

    gate.open();
    WriteResponse response = reply.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("committed", "replied"), order, "the reply follows the synced commit");
    assertEquals(1, response.getSeq());
    assertTrue(gate.syncedWhenCommitting(), "the batch was written with sync");
    assertEquals("v", new String(onDiskAfterClose(), StandardCharsets.UTF_8));
  }

  @Test
  void deleteIsAnsweredOnlyAfterItsBatchIsCommitted() throws Exception {
    KVGrpc.KVFutureStub kv = start(true);
    ListenableFuture<WriteResponse> reply = kv.delete(DeleteRequest.newBuilder().setKey(KEY).build());
    gate.awaitBlocked();

    assertEquals(List.of(), order, "a reply was sent while its batch was not committed");
    assertFalse(reply.isDone());
    assertTrue(store.get(SHARD, bytes(KEY)).isPresent(), "the key is still there before the commit");

    gate.open();
    assertEquals(2, reply.get(10, TimeUnit.SECONDS).getSeq());
    assertEquals(List.of("committed", "replied"), order, "the reply follows the commit");
    assertTrue(store.get(SHARD, bytes(KEY)).isEmpty());
  }

  /** Closes everything and reads the key from a freshly opened store on the same dir. */
  private byte[] onDiskAfterClose() throws Exception {
    stop();
    pipeline = null;
    store = null;
    server = null;
    channel = null;
    try (KvStore reopened = KvStore.open(dir, false)) {
      assertEquals(1, reopened.shardState(SHARD).seq());
      return reopened.get(SHARD, bytes(KEY)).orElseThrow().value();
    }
  }

  /** Records "replied" when the server sends a reply message, on the thread that sends it. */
  private ServerInterceptor recordReplies() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(R message) {
            order.add("replied");
            super.sendMessage(message);
          }
        }, headers);
      }
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
