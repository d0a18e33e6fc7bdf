package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.keysInShard;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The per-shard log of events that followers catch up from, and its retention. */
@Timeout(60)
class BacklogTest {
  private static final int SHARD = 4;
  private static final List<String> KEYS = keysInShard(SHARD, 3);

  @TempDir Path dir;
  private KvStore store;
  private final BacklogPins pins = new BacklogPins();

  @BeforeEach
  void open() {
    store = KvStore.open(dir, true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void everyWriteIsLoggedAsItsReplicationEvent() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 3, 100, pins, EventSink.NONE, store::write)) {
      await(pipeline.put(KEYS.get(0), "v".getBytes(StandardCharsets.UTF_8)));
      await(pipeline.delete(KEYS.get(0)));
      await(pipeline.delete(KEYS.get(0)));  // not found: not logged
    }
    List<Event> events = loggedEvents();
    assertEquals(2, events.size());
    Event put = events.get(0);
    assertEquals(PipelineFixture.LEADER_ID, put.getLeaderId());
    assertEquals(3, put.getEpoch());
    assertEquals(SHARD, put.getShard());
    assertEquals(1, put.getSeq());
    assertEquals(KEYS.get(0), put.getKey());
    assertEquals("v", put.getPutValue().toStringUtf8());
    assertEquals(1, put.getKeys());
    assertEquals(1_000L, put.getCommitTimeMs());
    Event delete = events.get(1);
    assertEquals(2, delete.getSeq());
    assertTrue(delete.getDelete());
    assertEquals(0, delete.getKeys());
    assertEquals(0, delete.getDigest());
  }

  @Test
  void backlogKeepsOnlyTheRetainedNumberOfEvents() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 1, 5, pins, EventSink.NONE, store::write)) {
      writes(pipeline, 20);
      assertEquals(List.of(16L, 17L, 18L, 19L, 20L), loggedSeqs());
      assertEquals(16, store.oldestLogSeq(SHARD));
    }
  }

  @Test
  void pinnedEventsAreKeptUntilThePinIsReleased() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 1, 5, pins, EventSink.NONE, store::write)) {
      long pin = pins.pin(SHARD, 8);
      pins.pin(SHARD + 1, 0);  // another shard's pin does not hold this one back
      writes(pipeline, 20);
      assertEquals(seqs(8, 20), loggedSeqs(), "the pinned seq and the events after it stay");
      pins.release(pin);
      writes(pipeline, 1);
      assertEquals(seqs(17, 21), loggedSeqs(), "released: back to the retention");
    }
  }

  @Test
  void retentionHoldsAcrossARestart() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 1, 5, pins, EventSink.NONE, store::write)) {
      writes(pipeline, 7);
    }
    try (WritePipeline pipeline = pipeline(store, 2, 5, pins, EventSink.NONE, store::write)) {
      writes(pipeline, 3);
      assertEquals(seqs(6, 10), loggedSeqs());
    }
  }

  @Test
  void failedCommitLeavesTheRetentionIntact() throws Exception {
    boolean[] fail = {false};
    WritePipeline.BatchCommitter flaky = batch -> {
      if (fail[0]) {
        throw new IllegalStateException("disk full");
      }
      store.write(batch);
    };
    try (WritePipeline pipeline = pipeline(store, 1, 2, pins, EventSink.NONE, flaky)) {
      writes(pipeline, 3);
      assertEquals(seqs(2, 3), loggedSeqs());
      fail[0] = true;
      pipeline.put(KEYS.get(0), new byte[0]).exceptionally(error -> null).get();
      fail[0] = false;
      writes(pipeline, 1);
      assertEquals(seqs(3, 4), loggedSeqs(), "the trim planned by the failed batch was not lost");
    }
  }

  private static void writes(WritePipeline pipeline, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      await(pipeline.put(KEYS.get(i % KEYS.size()), ("v" + i).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private List<Long> loggedSeqs() {
    List<Long> seqs = new ArrayList<>();
    store.forEachLog(SHARD, 0, (seq, event) -> seqs.add(seq));
    return seqs;
  }

  private List<Event> loggedEvents() {
    List<Event> events = new ArrayList<>();
    store.forEachLog(SHARD, 0, (seq, event) -> {
      try {
        Event decoded = Event.parseFrom(event);
        assertEquals(seq, decoded.getSeq(), "log key and event agree on the seq");
        return events.add(decoded);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    });
    return events;
  }

  private static List<Long> seqs(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }
}
