package io.kvdb.core.follower;

import static io.kvdb.core.follower.FakeLeader.published;
import io.kvdb.core.storage.StoredValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.storage.StoreBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard leaves the read view before its data is dropped or wiped: a read in between must be
 * FAILED_PRECONDITION ("read it from the leader"), never NOT_FOUND for a key that exists. Each test
 * looks at the data at the moment the view without the shard is published.
 */
class WithdrawBeforeDropTest {
  private static final int S = 1;

  @TempDir Path dir;
  private final FakeLeader leader = new FakeLeader("leader-1", 7, 4);
  private SyncHarness follower;
  private String key;
  /** Whether {@link #key} was in the data dir when the first view without shard S was published. */
  private final List<Boolean> storedWhenWithdrawn = new ArrayList<>();

  @BeforeEach
  void liveWithData() {
    for (int i = 0; i < 3; i++) {
      leader.put(leader.keyIn(S, i), "value-" + i);
    }
    key = leader.keyIn(S, 0);
    follower = new SyncHarness(leader, dir.resolve("follower")).start().connect(0, S);
    assertTrue(follower.view().live().contains(S));
    assertTrue(follower.stored(S, key));
    follower.onPublish = view -> {
      if (!view.live().contains(S) && storedWhenWithdrawn.isEmpty()) {
        storedWhenWithdrawn.add(follower.stored(S, key));
      }
    };
  }

  @AfterEach
  void close() {
    follower.close();
  }

  @Test
  void anUnassignedShardLeavesTheReadViewBeforeItsDataIsDropped() {
    follower.deliver(FakeLeader.assignment(2, 0));

    assertFalse(follower.stored(S, key), "the data is dropped");
    assertEquals(List.of(true), storedWhenWithdrawn, "the shard left the read view while its data was still there");
  }

  @Test
  void aShardLeavesTheReadViewBeforeASnapshotWipesIt() {
    String other = leader.keyIn(S, 1);
    StoreBatch batch = follower.store.newBatch();
    batch.putData(S, other.getBytes(StandardCharsets.UTF_8), new StoredValue("tampered".getBytes(StandardCharsets.UTF_8), 0, 0));
    follower.store.write(batch);

    follower.publish(published(leader.put(other, "new"))); // diverges: the shard is wiped for a snapshot

    assertFalse(follower.stored(S, key), "the shard is wiped for the snapshot");
    assertEquals(List.of(true), storedWhenWithdrawn, "the shard left the read view while its data was still there");
  }

  @Test
  void aLostTailSeenOnAHeartbeatWithdrawsTheShardUntilItIsCaughtUp() {
    leader.put(key, "changed"); // lost by the socket: the follower's value is stale

    follower.publish(leader.heartbeat(S));

    assertFalse(follower.view().live().contains(S), "a copy known to be behind is not served");
    follower.exchange();
    assertTrue(follower.view().live().contains(S));
    follower.assertSameAsLeader(S);
  }
}
