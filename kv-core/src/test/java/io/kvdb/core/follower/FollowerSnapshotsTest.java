package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.DumpHeader;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.DumpShard;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerSnapshotRequest;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import io.kvdb.core.config.Limits;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Follower.Snapshot over in-process gRPC, on a real replica whose leader is gone: complete copies only. */
@Timeout(60)
class FollowerSnapshotsTest {
  private static final int SHARDS = 8;

  @TempDir Path dir;
  private KvStore store;
  private Server server;
  private ManagedChannel channel;
  private ExecutorService executor;
  private long digest;

  @BeforeEach
  void start() throws Exception {
    store = KvStore.open(dir, false);
    ReplicaStore replica = ReplicaStore.create(store, SHARDS);
    replica.setSyncedLeaderId("leader-1");
    // Shard 0 installed whole, at seq 40; shard 1 in the middle of an install; shard 2 never held.
    SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setShard(0).setLast(true).setSeq(40).setSeqEpoch(7);
    ShardFunction shards = new ShardFunction(SHARDS);
    for (int i = 0; chunk.getEntriesCount() < 30; i++) {
      String key = "key-" + i;
      if (shards.shardOf(key) == 0) {
        byte[] value = ("value-" + i).getBytes(StandardCharsets.UTF_8);
        chunk.addEntries(SnapshotEntry.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFrom(value)));
        digest += Digest.of(key.getBytes(StandardCharsets.UTF_8), new StoredValue(value, 0, 0));
      }
    }
    replica.beginInstall(0);
    assertTrue(replica.installChunk(chunk.setDigest(digest).setKeys(30).build()));
    replica.beginInstall(1);

    executor = Executors.newSingleThreadExecutor();
    FollowerSnapshots snapshots = new FollowerSnapshots(store, () -> new FollowerView("f1", "", 0, "connecting", "", 0,
        SHARDS, Set.of(), Set.of(), Set.of(0), 0, Limits.DEFAULT), executor);
    FollowerReadService service = new FollowerReadService(store,
        () -> new FollowerReadService.Readable(SHARDS, shard -> false), () -> null, snapshots);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
    store.close();
  }

  @Test
  void aCompleteCopyIsServedWhileTheLeaderIsGone() {
    List<DumpMessage> dump = snapshot(0);
    DumpHeader header = dump.get(0).getHeader();
    assertEquals("leader-1", header.getLeaderId());
    assertEquals(SHARDS, header.getShardCount());
    assertEquals(List.of(DumpShard.newBuilder().setShard(0).setSeq(40).setSeqEpoch(7).setDigest(digest).setKeys(30)
        .build()), header.getShardsList());
    assertEquals(30, dump.stream().filter(DumpMessage::hasChunk).mapToInt(m -> m.getChunk().getEntriesCount()).sum());
    assertTrue(dump.get(dump.size() - 1).getChunk().getLast());
  }

  @Test
  void noShardAskedMeansEveryCompleteCopy() {
    assertEquals(List.of(0), snapshot().get(0).getHeader().getShardsList().stream().map(DumpShard::getShard).toList());
  }

  @Test
  void aShardBeingInstalledOrNotHeldIsRefusedNamingIt() {
    for (int shard : new int[] {1, 2}) {
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> snapshot(0, shard));
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
      assertEquals("shard " + shard + " is not a complete copy on follower f1 (not held, being installed or re-synced; see its"
          + " readable_shards)",
          refused.getStatus().getDescription());
    }
    assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> snapshot(8))
        .getStatus().getCode());
  }

  private List<DumpMessage> snapshot(Integer... shards) {
    Iterator<DumpMessage> replies = FollowerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .snapshot(FollowerSnapshotRequest.newBuilder().addAllShards(List.of(shards)).setChunkBytes(64).build());
    List<DumpMessage> messages = new ArrayList<>();
    replies.forEachRemaining(messages::add);
    return messages;
  }
}
