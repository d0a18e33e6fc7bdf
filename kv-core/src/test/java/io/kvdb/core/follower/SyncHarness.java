package io.kvdb.core.follower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A follower's {@link FollowerSync} on a real LevelDB data dir, wired to a {@link FakeLeader} by
 * hand: the test decides which messages arrive, in which order, and which are lost. No sockets, no
 * threads; time is a number the test moves.
 */
final class SyncHarness implements AutoCloseable {
  static final String FOLLOWER_ID = "f1";

  final FakeLeader leader;
  final Path dataDir;
  final List<FollowerView> views = new ArrayList<>();
  final Set<Integer> subscribed = new TreeSet<>();
  /** Runs at every publication of a view, before the next step of the sync (to look at the data then). */
  Consumer<FollowerView> onPublish = view -> {};
  long nowMs = 1_000_000;
  KvStore store;
  FollowerSync sync;

  SyncHarness(FakeLeader leader, Path dataDir) {
    this.leader = leader;
    this.dataDir = dataDir;
  }

  /** Opens the data dir and starts a sync on it, as a follower's start does. */
  SyncHarness start() {
    store = KvStore.open(dataDir, false);
    ReplicaStore replica = ReplicaStore.openExisting(store);
    Set<Integer> suspect = replica == null ? Set.of() : ReplicaCheck.suspectShards(replica);
    sync = new FollowerSync(new SyncOptions(FOLLOWER_ID, "127.0.0.1:1", false, 1000), store, replica, suspect,
        new DiskSpace(dataDir, "follower", 0), ReplicaMetrics.NONE, () -> nowMs, view -> {
          views.add(view);
          onPublish.accept(view);
        });
    return this;
  }

  /** Hello, welcome, an assignment of {@code shards}, and every catch-up and snapshot they lead to. */
  SyncHarness connect(Integer... shards) {
    join(shards);
    exchange();
    return this;
  }

  /** Hello, welcome and an assignment of {@code shards}; the follower's requests are left unanswered. */
  SyncHarness join(Integer... shards) {
    sync.onTimer();
    assertEquals(ControlMessage.BodyCase.HELLO, take().get(0).getBodyCase(), "a new follower says hello first");
    deliver(leader.welcome());
    deliver(FakeLeader.assignment(1, shards));
    return this;
  }

  void deliver(ControlMessage message) {
    sync.onControl(message.toByteArray());
  }

  /** Messages arriving on the PUB socket, in one drain. */
  void publish(DataMessage... messages) {
    List<DataFrame> frames = new ArrayList<>();
    for (DataMessage message : messages) {
      int shard = message.hasBatch() ? message.getBatch().getEvents(0).getShard() : message.getHeartbeat().getShard();
      frames.add(DataFrame.of(shard, message));
    }
    sync.onData(frames);
  }

  /** What the sync asked to send since the last look (subscriptions are noted in {@link #subscribed}). */
  List<ControlMessage> take() {
    Outbox outbox = sync.outbox();
    subscribed.addAll(outbox.subscribe());
    subscribed.removeAll(outbox.unsubscribe());
    List<ControlMessage> sent = List.copyOf(outbox.messages());
    outbox.clear();
    return sent;
  }

  /** The requests sent since the last look: what was taken, without the acks. */
  List<ControlMessage> requests() {
    return take().stream().filter(message -> message.getBodyCase() != ControlMessage.BodyCase.ACK).toList();
  }

  /** Lets the leader answer every request, and the answers' requests, until the follower asks nothing more. */
  void exchange() {
    List<ControlMessage> pending = take();
    while (!pending.isEmpty()) {
      for (ControlMessage request : pending) {
        ControlMessage reply = leader.answer(request);
        if (reply != null) {
          deliver(reply);
        }
      }
      pending = take();
    }
  }

  FollowerView view() {
    return views.get(views.size() - 1);
  }

  boolean stored(int shard, String key) {
    return store.get(shard, key.getBytes(StandardCharsets.UTF_8)).isPresent();
  }

  /** The follower's copy of {@code shard} is the leader's: same state, same keys and values. */
  void assertSameAsLeader(int shard) {
    assertEquals(leader.head(shard), store.shardState(shard), "shard " + shard + "'s seq, epoch, digest and keys");
    for (Map.Entry<String, ByteString> entry : leader.data(shard).entrySet()) {
      assertEquals(entry.getValue(), store.get(shard, entry.getKey().getBytes(StandardCharsets.UTF_8))
          .map(stored -> ByteString.copyFrom(stored.value())).orElse(null), "value of " + entry.getKey());
    }
  }

  /** Ends the process abruptly: nothing more is written; the data dir stays as it is. */
  void crash() {
    store.close();
    store = null;
    sync = null;
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
  }
}
