package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * In durable mode a write is answered only after its batch was synced. kill -9 cannot show this
 * (the page cache survives it), so the real committer is held at a gate: while the batch is not
 * committed no reply may exist; once it is, the reply comes and the data is in the data dir.
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

  /** Starts the service over a gated pipeline; with {@code preload}, KEY is stored first (ungated). */
  private KVGrpc.KVFutureStub start(boolean preload) throws Exception {
    store = KvStore.open(dir, true);
    if (preload) {
      try (WritePipeline plain = pipeline(store)) {
        plain.put(KEY, bytes("v")).get(10, TimeUnit.SECONDS);
      }
    }
    gate = new GatedCommitter(store);
    pipeline = pipeline(store, 1, 1000, new BacklogPins(), EventSink.NONE, gate);
    KvService kv = new KvService(store, SHARD_OF, pipeline, Replicas.none(1), Limits.DEFAULT, 1000, Runnable::run);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(kv).build().start();
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

    assertThrows(TimeoutException.class, () -> reply.get(300, TimeUnit.MILLISECONDS),
        "a reply arrived while its batch was not committed");
    assertTrue(store.get(SHARD, bytes(KEY)).isEmpty(), "nothing is written before the commit");

    gate.open();
    WriteResponse response = reply.get(10, TimeUnit.SECONDS);
    assertEquals(1, response.getSeq());
    assertTrue(gate.syncedWhenCommitting(), "the batch was written with sync");
    assertEquals("v", new String(onDiskAfterClose(), StandardCharsets.UTF_8));
  }

  @Test
  void deleteIsAnsweredOnlyAfterItsBatchIsCommitted() throws Exception {
    KVGrpc.KVFutureStub kv = start(true);
    ListenableFuture<WriteResponse> reply = kv.delete(DeleteRequest.newBuilder().setKey(KEY).build());
    gate.awaitBlocked();

    assertThrows(TimeoutException.class, () -> reply.get(300, TimeUnit.MILLISECONDS),
        "a reply arrived while its batch was not committed");
    assertTrue(store.get(SHARD, bytes(KEY)).isPresent(), "the key is still there before the commit");

    gate.open();
    assertEquals(2, reply.get(10, TimeUnit.SECONDS).getSeq());
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
      return reopened.get(SHARD, bytes(KEY)).orElseThrow();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
