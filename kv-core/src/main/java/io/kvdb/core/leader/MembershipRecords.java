package io.kvdb.core.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.replication.v1.FollowerRecord;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The followers and the assignment version as the leader keeps them in its data dir. */
final class MembershipRecords {
  private static final Logger log = LoggerFactory.getLogger(MembershipRecords.class);
  private static final String VERSION_META = "assignment_version";

  private final KvStore store;

  MembershipRecords(KvStore store) {
    this.store = store;
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
        member.lastSeenMs = nowMs;
        members.put(member.id, member);
      } catch (InvalidProtocolBufferException e) {
        log.error("skipping an unreadable follower record in the data dir: {}", e.getMessage());
      }
    });
    return members;
  }

  /** Keeps every follower's assignment and the version, in one batch. */
  void persist(Collection<Member> members, long version) {
    try (StoreBatch batch = store.newBatch()) {
      for (Member member : members) {
        batch.putFollowerRecord(member.id, FollowerRecord.newBuilder()
            .setId(member.id).setAddress(member.address == null ? "" : member.address)
            .addAllAssigned(member.assigned).setAssignedVersion(member.assignedVersion)
            .build().toByteArray());
      }
      batch.putMeta(VERSION_META, ByteBuffer.allocate(8).putLong(version).array());
      store.write(batch);
    }
  }
}
