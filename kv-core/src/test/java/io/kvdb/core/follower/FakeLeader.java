package io.kvdb.core.follower;

import com.google.protobuf.ByteString;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.core.storage.ShardState;
import io.kvdb.replication.v1.Assignment;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.EventBatch;
import io.kvdb.replication.v1.Heartbeat;
import io.kvdb.replication.v1.ShardPosition;
import io.kvdb.replication.v1.SnapshotChunk;
import io.kvdb.replication.v1.SnapshotEntry;
import io.kvdb.replication.v1.SnapshotRequest;
import io.kvdb.replication.v1.Welcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A leader in memory, for driving a follower's sync without sockets: it numbers and digests its
 * writes as the real one does (so the follower's checks are the real ones), keeps a backlog that a
 * test can trim, and answers catch-up and snapshot requests. Keys are ASCII, so that String order
 * is the leader's key order (unsigned UTF-8 bytes).
 */
final class FakeLeader {
  /** Small chunks, so that a snapshot of a few keys takes several requests. */
  static final int ENTRIES_PER_CHUNK = 2;

  final String id;
  final long epoch;
  final int shards;
  private final ShardFunction shardFunction;
  private final List<NavigableMap<String, ByteString>> data = new ArrayList<>();
  private final ShardState[] heads;
  /** Each shard's events still in the backlog, by seq. */
  private final List<NavigableMap<Long, Event>> backlog = new ArrayList<>();
  private final Map<Long, Frozen> snapshots = new HashMap<>();
  private long nextSnapshotId = 1;
  /** Whether the follower's hello was accepted in this leader run: else its requests are refused. */
  private boolean greeted;
  /** When set, every snapshot request is answered with this error (a leader failing to read its data). */
  private String snapshotError;

  private record Frozen(int shard, NavigableMap<String, ByteString> data, ShardState head) {}

  FakeLeader(String id, long epoch, int shards) {
    this.id = id;
    this.epoch = epoch;
    this.shards = shards;
    this.shardFunction = new ShardFunction(shards);
    this.heads = new ShardState[shards];
    for (int shard = 0; shard < shards; shard++) {
      data.add(new TreeMap<>());
      backlog.add(new TreeMap<>());
      heads[shard] = ShardState.EMPTY;
    }
  }

  int shardOf(String key) {
    return shardFunction.shardOf(key);
  }

  /** The {@code n}th key (from 0) that falls in {@code shard}. */
  String keyIn(int shard, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (shardOf(key) == shard && found++ == n) {
        return key;
      }
    }
  }

  /** Commits a put: the event the leader publishes for it. */
  Event put(String key, String value) {
    int shard = shardOf(key);
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    ByteString newValue = ByteString.copyFromUtf8(value);
    ByteString old = data.get(shard).put(key, newValue);
    ShardState head = heads[shard];
    ShardState after = head.afterPut(head.seq() + 1, epoch, keyBytes, stored(old), stored(newValue));
    return commit(shard, after, Event.newBuilder().setKey(key).setPutValue(newValue));
  }

  /** Commits a delete (of a key that exists). */
  Event delete(String key) {
    int shard = shardOf(key);
    ByteString old = data.get(shard).remove(key);
    ShardState head = heads[shard];
    ShardState after = head.afterDelete(head.seq() + 1, epoch, key.getBytes(StandardCharsets.UTF_8),
        stored(old));
    return commit(shard, after, Event.newBuilder().setKey(key).setDelete(true));
  }

  /** This fake gives every value version 0 (the events' revision is 0), as a follower stores it. */
  private static StoredValue stored(ByteString value) {
    return value == null ? null : new StoredValue(value.toByteArray(), 0, 0);
  }

  private Event commit(int shard, ShardState after, Event.Builder change) {
    heads[shard] = after;
    Event event = change.setLeaderId(id).setEpoch(epoch).setShard(shard).setSeq(after.seq())
        .setDigest(after.digest()).setKeys(after.keys()).build();
    backlog.get(shard).put(after.seq(), event);
    return event;
  }

  /**
   * Forgets the shard's backlog up to its head: a follower behind the head can only sync by
   * snapshot. The head's entry stays, as the real leader pins the backlog from a snapshot's seq.
   */
  void trimBacklog(int shard) {
    backlog.get(shard).headMap(heads[shard].seq(), false).clear();
  }

  ShardState head(int shard) {
    return heads[shard];
  }

  Map<String, ByteString> data(int shard) {
    return data.get(shard);
  }

  /** The welcome to the follower's hello: from now on its requests are served. */
  ControlMessage welcome() {
    greeted = true;
    return ControlMessage.newBuilder().setWelcome(Welcome.newBuilder().setLeaderId(id).setEpoch(epoch)
        .setShards(shards).setHeartbeatMs(100).setAccepted(true)).build();
  }

  static ControlMessage assignment(long version, Integer... shards) {
    return ControlMessage.newBuilder().setAssignment(Assignment.newBuilder().setVersion(version)
        .addAllShards(List.of(shards))).build();
  }

  DataMessage heartbeat(int shard) {
    ShardState head = heads[shard];
    return DataMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setLeaderId(id).setEpoch(epoch)
        .setShard(shard).setSeq(head.seq()).setSeqEpoch(head.seqEpoch()).setDigest(head.digest())
        .setKeys(head.keys())).build();
  }

  /** The PUB message of {@code events}, one shard's events of one commit, as the leader publishes them. */
  static DataMessage published(Event... events) {
    return DataMessage.newBuilder().setBatch(EventBatch.newBuilder().addAllEvents(List.of(events))).build();
  }

  /**
   * The leader no longer knows the follower's session (it restarted, or refused a hello since): as
   * the real leader's ControlAccess, it refuses catch-up and snapshot requests until the next hello.
   */
  void forgetSession() {
    greeted = false;
  }

  /** Answers every snapshot request with {@code error} from now on; null serves them again. */
  void failSnapshots(String error) {
    snapshotError = error;
  }

  /** The reply to a follower's request, or null for messages that get none (hello is answered by the test). */
  ControlMessage answer(ControlMessage request) {
    if (!greeted) {
      return refusal(request);
    }
    return switch (request.getBodyCase()) {
      case CATCH_UP_REQUEST -> ControlMessage.newBuilder().setCatchUpReply(catchUp(request.getCatchUpRequest())).build();
      case SNAPSHOT_REQUEST -> ControlMessage.newBuilder().setSnapshotChunk(chunk(request.getSnapshotRequest())).build();
      default -> null;
    };
  }

  /** What the real leader's ControlServer answers a request from a follower it has no hello from. */
  private static ControlMessage refusal(ControlMessage request) {
    String why = "refused: 'f1' has not said hello to this leader (epoch changed, or not a follower): say hello first";
    return switch (request.getBodyCase()) {
      case CATCH_UP_REQUEST -> ControlMessage.newBuilder().setCatchUpReply(CatchUpReply.newBuilder()
          .setShard(request.getCatchUpRequest().getFrom().getShard()).setOutcome(CatchUpReply.Outcome.OUTCOME_REFUSED)
          .setReason(why)).build();
      case SNAPSHOT_REQUEST -> ControlMessage.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder()
          .setShard(request.getSnapshotRequest().getShard()).setSnapshotId(request.getSnapshotRequest().getSnapshotId())
          .setError(why)).build();
      default -> null;
    };
  }

  /**
   * The rules of the real leader's CatchUpSource, but for its snapshot of a follower further behind
   * than the shard holds keys: that needs more events than these tests write.
   */
  private CatchUpReply catchUp(CatchUpRequest request) {
    ShardPosition from = request.getFrom();
    int shard = from.getShard();
    NavigableMap<Long, Event> events = backlog.get(shard);
    CatchUpReply.Builder reply = CatchUpReply.newBuilder().setShard(shard).setHeadSeq(heads[shard].seq());
    long applied = from.getAppliedSeq();
    boolean held = applied == 0 ? heads[shard].seq() == 0 || events.containsKey(1L) : events.containsKey(applied);
    if (applied > heads[shard].seq() || !held
        || (applied > 0 && events.get(applied).getEpoch() != from.getAppliedEpoch())) {
      return reply.setOutcome(CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED).setReason("not in the backlog").build();
    }
    events.tailMap(applied, false).values().stream().limit(request.getMaxEvents()).forEach(reply::addEvents);
    return reply.setOutcome(CatchUpReply.Outcome.OUTCOME_EVENTS).build();
  }

  /** The answer to a snapshot request; {@code handle} answers it only after a hello. */
  SnapshotChunk chunk(SnapshotRequest request) {
    if (snapshotError != null) {
      return SnapshotChunk.newBuilder().setShard(request.getShard()).setSnapshotId(request.getSnapshotId())
          .setError(snapshotError).build();
    }
    long snapshotId = request.getSnapshotId();
    if (snapshotId == 0) {
      snapshotId = nextSnapshotId++;
      int shard = request.getShard();
      snapshots.put(snapshotId, new Frozen(shard, new TreeMap<>(data.get(shard)), heads[shard]));
    }
    Frozen frozen = snapshots.get(snapshotId);
    SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setShard(request.getShard()).setSnapshotId(snapshotId);
    if (frozen == null) {
      return chunk.setError("snapshot " + snapshotId + " expired").build();
    }
    NavigableMap<String, ByteString> rest = request.getAfterKey().isEmpty() ? frozen.data()
        : frozen.data().tailMap(request.getAfterKey().toStringUtf8(), false);
    rest.entrySet().stream().limit(ENTRIES_PER_CHUNK).forEach(entry -> chunk.addEntries(
        SnapshotEntry.newBuilder().setKey(ByteString.copyFromUtf8(entry.getKey())).setValue(entry.getValue())));
    if (rest.size() <= ENTRIES_PER_CHUNK) {
      ShardState head = frozen.head();
      chunk.setLast(true).setSeq(head.seq()).setSeqEpoch(head.seqEpoch()).setDigest(head.digest()).setKeys(head.keys());
    }
    return chunk.build();
  }
}
