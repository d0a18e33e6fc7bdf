package io.kvdb.core.follower;

import static io.kvdb.core.follower.FakeLeader.published;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.protocol.EventBatches;
import io.kvdb.core.protocol.Frames;
import io.kvdb.core.protocol.Topics;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.EventBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard's events of one commit arrive as one PUB message (protocol version 3): the follower
 * applies a batch as it applied events one by one, finds a gap inside it, ignores batches of shards
 * it does not hold, and drops (and logs) a malformed one while it goes on serving.
 */
class EventBatchSyncTest {
  private static final int SHARDS = 4;
  private static final int S = 1;
  private static final int NOT_HELD = 2;

  @TempDir Path dir;
  private final FakeLeader leader = new FakeLeader("leader-1", 7, SHARDS);
  private SyncHarness follower;

  @BeforeEach
  void open() {
    follower = new SyncHarness(leader, dir.resolve("follower"));
    write(S, 2);
    follower.start().connect(S);
  }

  @AfterEach
  void close() {
    follower.close();
  }

  @Test
  void aBatchAsTheLeaderEncodesItIsAppliedWhole() {
    Event third = leader.put(key(2), "c");
    Event fourth = leader.put(key(0), "changed");
    Event fifth = leader.delete(key(1));

    // The leader's own encoding: the events' bytes (its log entries) put together, not re-encoded.
    byte[] payload = EventBatches.dataMessage(List.of(third.toByteArray(), fourth.toByteArray(), fifth.toByteArray()));
    follower.sync.onData(List.of(new DataFrame(Topics.of(S), payload)));

    assertEquals(List.of(), follower.requests(), "nothing to catch up");
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aGapInTheMiddleOfABatchIsCaughtUpFromTheLastEventBeforeIt() {
    Event third = leader.put(key(2), "c");
    leader.put(key(3), "d"); // not in the batch: as if lost
    Event fifth = leader.put(key(0), "e");

    follower.publish(published(third, fifth));

    List<ControlMessage> sent = follower.requests();
    assertEquals(1, sent.size(), sent.toString());
    assertEquals(3, sent.get(0).getCatchUpRequest().getFrom().getAppliedSeq(), "the events before the gap are applied");
    assertEquals(3, follower.store.shardState(S).seq());
    follower.deliver(leader.answer(sent.get(0)));
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  @Test
  void aBatchOfAShardNotHeldHereIsIgnored() {
    Event other = leader.put(leader.keyIn(NOT_HELD, 0), "x");
    Event next = leader.put(leader.keyIn(NOT_HELD, 1), "y");

    follower.publish(published(other, next));

    assertEquals(List.of(), follower.requests());
    assertEquals(ShardState.EMPTY, follower.store.shardState(NOT_HELD));
    assertFalse(follower.stored(NOT_HELD, leader.keyIn(NOT_HELD, 0)));
    assertFalse(follower.view().live().contains(NOT_HELD));
  }

  @Test
  void aMalformedBatchIsDroppedWholeAndLoggedAndTheStreamGoesOn() {
    Event third = leader.put(key(2), "c");
    Event ofAnotherShard = third.toBuilder().setShard(NOT_HELD).setSeq(1).build();
    long droppedBefore = Frames.droppedFrames();

    follower.sync.onData(List.of(
        DataFrame.of(S, DataMessage.newBuilder().setBatch(EventBatch.getDefaultInstance()).build()), // empty
        DataFrame.of(S, published(third, ofAnotherShard)), // holds another shard's event
        new DataFrame(Topics.of(S), new byte[] {0x1a, 0x7f, 0x01}))); // a batch cut short

    assertEquals(droppedBefore + 3, Frames.droppedFrames(), "each malformed message is counted (and logged)");
    assertEquals(2, follower.store.shardState(S).seq(), "nothing of a malformed batch is applied");
    assertEquals(ShardState.EMPTY, follower.store.shardState(NOT_HELD));
    assertTrue(follower.view().live().contains(S), "still serving");

    Event fourth = leader.put(key(3), "d");
    follower.publish(published(fourth)); // the next good batch shows the gap the dropped one left
    follower.exchange();
    follower.assertSameAsLeader(S);
    assertTrue(follower.view().live().contains(S));
  }

  private void write(int shard, int count) {
    for (int i = 0; i < count; i++) {
      leader.put(leader.keyIn(shard, i), "value-" + i);
    }
  }

  private String key(int n) {
    return leader.keyIn(S, n);
  }
}
