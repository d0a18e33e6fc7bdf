package io.kvdb.core.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.FollowerRecord;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The followers and the assignment version as the leader keeps them in its data dir. */
final class MembershipRecords {
  private static final Logger log = LoggerFactory.getLogger(MembershipRecords.class);
  private static final String VERSION_META = "assignment_version";

  private final KvStore store;
  private final DiskSpace disk;
  /** The last change was refused for disk space (logged once, until one is kept again). */
  private boolean deferring;

  MembershipRecords(KvStore store, DiskSpace disk) {
    this.store = store;
    this.disk = disk;
  }

  /**
   * Adds to {@code batch} the followers of a leader data dir made from their copies (a rebuild),
   * with the assignment version the highest of theirs: the leader places nothing anew at its start.
   */
  static void seed(StoreBatch batch, List<FollowerRecord> followers) {
    long version = 0;
    for (FollowerRecord record : followers) {
      batch.putFollowerRecord(record.getId(), record.toByteArray());
      version = Math.max(version, record.getAssignedVersion());
    }
    batch.putMeta(VERSION_META, ByteBuffer.allocate(8).putLong(version).array());
  }

  /** The assignment version last kept (0 for a new data dir). */
  long version() {
    return store.metaLong(VERSION_META, 0);
  }

  /** The followers last kept, by id, none of them alive yet; {@code nowMs} counts as their last sighting. */
  Map<String, Member> load(long nowMs) {
    Map<String, Member> members = new TreeMap<>();
    store.forEachFollowerRecord(bytes -> {
      try {
        FollowerRecord record = FollowerRecord.parseFrom(bytes);
        Member member = new Member(record.getId());
        member.address = record.getAddress();
        member.assigned.addAll(record.getAssignedList());
        member.assignedVersion = record.getAssignedVersion();
        member.drained = record.getDrained();
        member.lastSeenMs = nowMs;
        members.put(member.id, member);
      } catch (InvalidProtocolBufferException e) {
        log.error("skipping an unreadable follower record in the data dir: {}", e.getMessage());
      }
    });
    return members;
  }

  /** What is kept of {@code member} once it holds {@code assigned} at {@code assignedVersion}. */
  static FollowerRecord record(Member member, Collection<Integer> assigned, long assignedVersion) {
    return FollowerRecord.newBuilder()
        .setId(member.id).setAddress(member.address == null ? "" : member.address)
        .addAllAssigned(assigned).setAssignedVersion(assignedVersion).setDrained(member.drained)
        .build();
  }

  /** Keeps every member as it is now, at assignment {@code version}; see {@link #persist(List, long)}. */
  boolean persist(Collection<Member> members, long version) {
    return persist(members.stream().map(m -> record(m, m.assigned, m.assignedVersion)).toList(), version);
  }

  /**
   * Keeps every follower's record and the assignment version, in one batch. Returns false, and
   * writes nothing, when the batch would eat into the disk reserve (--min-free-disk): the caller
   * defers the change rather than tell followers an assignment a restart would forget.
   */
  boolean persist(List<FollowerRecord> records, long version) {
    try (StoreBatch batch = store.newBatch()) {
      for (FollowerRecord record : records) {
        batch.putFollowerRecord(record.getId(), record.toByteArray());
      }
      batch.putMeta(VERSION_META, ByteBuffer.allocate(8).putLong(version).array());
      disk.checkRoom(batch.bytes());
      store.write(batch);
    } catch (DiskSpace.FullException e) {
      if (!deferring) {
        deferring = true;
        log.warn("placement changes deferred, followers keep the shards they hold: {}", e.getMessage());
      }
      return false;
    }
    if (deferring) {
      deferring = false;
      log.info("placement changes kept again (assignment v{})", version);
    }
    return true;
  }
}
