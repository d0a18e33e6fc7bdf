package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.ControlMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * The leader's control channel, driven by raw DEALER sockets on 127.0.0.1 against a real leader:
 * each control message is handled on its own, so one that fails is answered with an error and the
 * channel keeps serving every other follower.
 */
@Timeout(60)
class ControlChannelTest {
  private static final long REPLY_MS = 5_000;

  @TempDir Path dir;
  private final ZContext zmq = new ZContext();
  private LeaderServer leader;

  @AfterEach
  void stop() {
    zmq.close();
    if (leader != null) {
      leader.stop();
    }
  }

  private LeaderServer start(String name) throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir), InProcessServerBuilder.forName(name));
    leader.start();
    return leader;
  }

  @Test
  void anUnreadableBacklogEntryIsAnsweredAndTheChannelKeepsServing() throws Exception {
    String key = "k";
    int shard = new ShardFunction(8).shardOf(key.getBytes(StandardCharsets.UTF_8));
    start(getClass().getName() + "/before");
    ManagedChannel channel = InProcessChannelBuilder.forName(getClass().getName() + "/before").build();
    try {
      KVGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    leader.stop();
    // A damaged backlog entry (a disk fault, a bug): a truncated protobuf where seq 1's event was.
    try (KvStore store = KvStore.open(dir, true); StoreBatch batch = store.newBatch()) {
      store.write(batch.putLog(shard, 1, new byte[] {0x0A, 0x7F}));
    }
    start(getClass().getName() + "/after");

    try (ControlPeer f1 = ControlPeer.connect(zmq, leader.controlPort(), "f1");
        ControlPeer f2 = ControlPeer.connect(zmq, leader.controlPort(), "f2")) {
      f1.hello("f1");
      assertNotNull(f1.await(ControlMessage::hasAssignment, REPLY_MS), "f1 got no assignment");
      f1.catchUp(shard, 0, 0);
      ControlMessage reply = f1.await(ControlMessage::hasCatchUpReply, REPLY_MS);
      assertNotNull(reply, "a catch-up through the unreadable entry got no answer");
      CatchUpReply catchUp = reply.getCatchUpReply();
      assertEquals(shard, catchUp.getShard());
      assertEquals(CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED, catchUp.getOutcome(),
          "the backlog cannot serve it, the data can: " + catchUp);
      assertTrue(catchUp.getReason().contains("unreadable log entry"), catchUp.getReason());

      // The channel still serves: another follower joins, and f1's next request is answered.
      f2.hello("f2");
      assertNotNull(f2.await(ControlMessage::hasWelcome, REPLY_MS), "the control channel stopped answering");
      f1.catchUp((shard + 1) % 8, 0, 0);
      assertNotNull(f1.await(m -> m.hasCatchUpReply() && m.getCatchUpReply().getShard() == (shard + 1) % 8,
          REPLY_MS), "the control channel stopped answering f1");
    }
  }
}
