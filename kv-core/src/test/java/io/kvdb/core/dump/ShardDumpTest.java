package io.kvdb.core.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.leader.CatchUpSource;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.TinyPairs;
import io.kvdb.replication.v1.CatchUpReply;
import io.kvdb.replication.v1.CatchUpRequest;
import io.kvdb.replication.v1.ShardPosition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard dump read from a real LevelDB data dir and written back as a leader's. */
class ShardDumpTest {
  private static final List<Integer> ALL = IntStream.range(0, DumpFixture.SHARDS).boxed().toList();

  @TempDir Path dir;

  @Test
  void dumpWrittenAsALeaderDirHoldsTheSameKeysSeqsAndDigestsAndContinuesTheLeader() throws Exception {
    LeaderMetadata original = DumpFixture.filledLeader(dir.resolve("leader"), 2000);
    List<DumpMessage> dump = dump(dir.resolve("leader"), original, 4096);
    assertTrue(dump.size() > 3 * DumpFixture.SHARDS, "small chunks: several per shard, got " + dump.size());

    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      for (int i = 0; i < dump.size(); i++) {
        writer.accept(dump.get(i), "message " + i);
      }
      writer.endOfStream("end");
      LeaderDirWriter.Result result = writer.finish(0, false);
      assertEquals(List.of(), result.missing());
      assertEquals(original.epoch(), result.epochFloor());

      try (KvStore source = KvStore.open(dir.resolve("leader"), false)) {
        DumpFixture.assertSameShards(source, copy, DumpFixture.SHARDS);
      }
      LeaderMetadata restarted = LeaderMetadata.start(copy, OptionalInt.empty(), 64);
      assertEquals(original.leaderId(), restarted.leaderId(), "the leader id is kept");
      assertEquals(DumpFixture.SHARDS, restarted.shards());
      assertTrue(restarted.epoch() > original.epoch(), "a new epoch above the dump's");

      // The head log entry: a follower at the head resumes, one behind it takes a snapshot.
      ShardState head = copy.shardState(2);
      CatchUpSource catchUp = new CatchUpSource(copy, copy::shardState);
      assertEquals(CatchUpReply.Outcome.OUTCOME_EVENTS, catchUp.answer(from(2, head.seq(), head.seqEpoch())).getOutcome());
      assertEquals(0, catchUp.answer(from(2, head.seq(), head.seqEpoch())).getEventsCount());
      assertEquals(CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED,
          catchUp.answer(from(2, head.seq() - 1, head.seqEpoch())).getOutcome());
      assertEquals(CatchUpReply.Outcome.OUTCOME_SNAPSHOT_REQUIRED,
          catchUp.answer(from(2, head.seq(), head.seqEpoch() - 1)).getOutcome(), "another history at that seq");
    }
  }

  @Test
  void aChunkWithABadChecksumIsRefusedSayingWhere() throws Exception {
    LeaderMetadata original = DumpFixture.filledLeader(dir.resolve("leader"), 500);
    List<DumpMessage> dump = new ArrayList<>(dump(dir.resolve("leader"), original, 2048));
    DumpMessage chunk = dump.get(3);
    ByteString value = chunk.getChunk().getEntries(0).getValue();
    dump.set(3, chunk.toBuilder().setChunk(chunk.getChunk().toBuilder().setEntries(0, chunk.getChunk().getEntries(0)
        .toBuilder().setValue(value.concat(ByteString.copyFromUtf8("!"))))).build());

    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      DumpException refused = assertThrows(DumpException.class, () -> {
        for (int i = 0; i < dump.size(); i++) {
          writer.accept(dump.get(i), "message " + i);
        }
      });
      assertEquals("message 3: shard " + chunk.getChunk().getShard() + " chunk " + chunk.getChunk().getIndex()
          + ": checksum mismatch (the chunk is corrupted)", refused.getMessage());
    }
  }

  @Test
  void aTruncatedStreamIsRefusedSayingWhichShardIsIncomplete() throws Exception {
    LeaderMetadata original = DumpFixture.filledLeader(dir.resolve("leader"), 500);
    List<DumpMessage> dump = dump(dir.resolve("leader"), original, 2048);
    int cut = dump.size() / 2;
    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      for (int i = 0; i < cut; i++) {
        writer.accept(dump.get(i), "message " + i);
      }
      DumpException refused = assertThrows(DumpException.class, () -> writer.endOfStream("the end of the stream"));
      int shard = dump.get(cut).getChunk().getShard();
      assertTrue(refused.getMessage().startsWith("the end of the stream: truncated: shard " + shard + " ends after chunk "),
          refused.getMessage());
      assertThrows(DumpException.class, () -> writer.finish(0, false), "no leader dir from half a dump");
    }
  }

  @Test
  void aChunkMissingFromTheMiddleIsRefused() throws Exception {
    LeaderMetadata original = DumpFixture.filledLeader(dir.resolve("leader"), 500);
    List<DumpMessage> dump = new ArrayList<>(dump(dir.resolve("leader"), original, 2048));
    DumpMessage dropped = dump.remove(2);
    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      DumpException refused = assertThrows(DumpException.class, () -> dump.forEach(m -> writer.accept(m, "here")));
      assertTrue(refused.getMessage().contains("expected shard " + dropped.getChunk().getShard() + " chunk "
          + dropped.getChunk().getIndex()), refused.getMessage());
    }
  }

  @Test
  void dumpsOfOtherLeadersDoNotMix() throws Exception {
    LeaderMetadata one = DumpFixture.filledLeader(dir.resolve("one"), 100);
    LeaderMetadata two = DumpFixture.filledLeader(dir.resolve("two"), 100);
    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      dumpOf(dir.resolve("one"), one, List.of(0, 1)).forEach(m -> writer.accept(m, "one"));
      writer.endOfStream("one");
      DumpMessage header = dumpOf(dir.resolve("two"), two, List.of(2)).get(0);
      DumpException refused = assertThrows(DumpException.class, () -> writer.accept(header, "two"));
      assertTrue(refused.getMessage().contains("but the dump so far is of leader " + one.leaderId()), refused.getMessage());
    }
  }

  @Test
  void shardsFromSeveralStreamsMakeOneLeaderAndAMissingOneIsNamed() throws Exception {
    LeaderMetadata original = DumpFixture.filledLeader(dir.resolve("leader"), 300);
    try (KvStore copy = KvStore.open(dir.resolve("copy"), false)) {
      LeaderDirWriter writer = new LeaderDirWriter(copy);
      dumpOf(dir.resolve("leader"), original, List.of(0, 1, 2)).forEach(m -> writer.accept(m, "a"));
      writer.endOfStream("a");
      dumpOf(dir.resolve("leader"), original, List.of(3, 4, 5, 6)).forEach(m -> writer.accept(m, "b"));
      writer.endOfStream("b");
      DumpException refused = assertThrows(DumpException.class, () -> writer.finish(0, false));
      assertEquals("the dump holds no copy of shards [7]", refused.getMessage());
      assertEquals(List.of(7), writer.finish(0, true).missing());
    }
  }

  private static ShardPosition.Builder position(int shard, long seq, long epoch) {
    return ShardPosition.newBuilder().setShard(shard).setAppliedSeq(seq).setAppliedEpoch(epoch);
  }

  private static CatchUpRequest from(int shard, long seq, long epoch) {
    return CatchUpRequest.newBuilder().setFrom(position(shard, seq, epoch)).build();
  }

  @Test
  void aChunkOfTinyPairsStaysUnderTheLargestChunkSize() {
    // 300,000 four-byte keys with empty values: counted by their bytes alone, 1 MiB of them made a
    // chunk of nearly 6 MB, past a gRPC client's default 4 MiB message limit.
    try (KvStore store = KvStore.open(dir.resolve("tiny"), false)) {
      TinyPairs.write(store, 0, 300_000);
      try (ShardDumpReader reader = new ShardDumpReader(store, store.snapshot(), new DumpOrigin("leader", 4, 1),
          List.of(0), ShardDumpReader.MAX_CHUNK_BYTES)) {
        reader.next(); // the header
        DumpMessage first = reader.next();
        assertTrue(first.hasChunk() && !first.getChunk().getLast(), "300,000 pairs take more than one chunk");
        assertTrue(first.getSerializedSize() <= ShardDumpReader.MAX_CHUNK_BYTES + 2 * ShardCursor.ENTRY_FRAMING_BYTES,
            first.getSerializedSize() + " bytes in a chunk of " + first.getChunk().getEntriesCount() + " pairs");
      }
    }
  }

  static List<DumpMessage> dump(Path leaderDir, LeaderMetadata leader, int chunkBytes) {
    return dumpOf(leaderDir, leader, ALL, chunkBytes);
  }

  private static List<DumpMessage> dumpOf(Path leaderDir, LeaderMetadata leader, List<Integer> shards) {
    return dumpOf(leaderDir, leader, shards, 2048);
  }

  private static List<DumpMessage> dumpOf(Path leaderDir, LeaderMetadata leader, List<Integer> shards, int chunkBytes) {
    List<DumpMessage> messages = new ArrayList<>();
    try (KvStore store = KvStore.open(leaderDir, false);
        ShardDumpReader reader = new ShardDumpReader(store, store.snapshot(),
            new DumpOrigin(leader.leaderId(), leader.shards(), leader.epoch()), shards, chunkBytes)) {
      reader.forEachRemaining(messages::add);
    }
    return messages;
  }
}
