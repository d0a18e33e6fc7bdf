package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.pipeline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.leader.BacklogPins;
import io.kvdb.core.leader.EventSink;
import io.kvdb.core.storage.KvStore;
import io.kvdb.replication.v1.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The hand-off of committed events to the publisher. */
@Timeout(60)
class EventSinkTest {
  @TempDir Path dir;
  private KvStore store;
  private final List<Event> published = Collections.synchronizedList(new ArrayList<>());
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void open() {
    store = KvStore.open(dir, true);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Records events, and notes any event whose write is not yet in the store when it is handed over. */
  private final EventSink recordingSink = batch -> {
    for (ShardEvents events : batch) {
      Event last = null;
      for (byte[] entry : events.entries()) {
        Event event = SinkEvents.parse(entry);
        if (store.shardState(event.getShard()).seq() < event.getSeq()) {
          problems.add("event " + event.getShard() + "/" + event.getSeq() + " published before its commit");
        }
        if (event.getShard() != events.shard()) {
          problems.add("event " + event.getShard() + "/" + event.getSeq() + " handed over as shard " + events.shard());
        }
        if (!Arrays.equals(entry, logEntry(event.getShard(), event.getSeq()))) {
          problems.add("event " + event.getShard() + "/" + event.getSeq() + " differs from its log entry");
        }
        published.add(event);
        last = event;
      }
      if (last == null || events.head().seq() != last.getSeq() || events.head().digest() != last.getDigest()) {
        problems.add("shard " + events.shard() + "'s head " + events.head() + " is not its last event's state");
      }
    }
  };

  private byte[] logEntry(int shard, long seq) {
    byte[][] found = {null};
    store.forEachLog(shard, seq, (at, entry) -> {
      found[0] = at == seq ? entry : null;
      return false;
    });
    return found[0];
  }


  @Test
  void eventsArePublishedInCommitOrderAfterTheirCommit() throws Exception {
    List<String> submitted = new ArrayList<>();
    List<CompletableFuture<Committed>> replies = new ArrayList<>();
    try (WritePipeline pipeline = pipeline(store, 1, 1000, new BacklogPins(), recordingSink, store::write)) {
      for (int i = 0; i < 300; i++) {
        String key = "k" + (i % 41);
        submitted.add(key);
        replies.add(i % 5 == 4 ? pipeline.delete(key) : pipeline.put(key, ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
      for (CompletableFuture<Committed> reply : replies) {
        await(reply);
      }
    }
    assertEquals(List.of(), problems);
    // Deletes of absent keys publish nothing; every other write publishes exactly its event, in its
    // shard's commit order (a batch hands over shard by shard: the order across shards is not kept).
    Map<Integer, List<String>> expectedKeys = new TreeMap<>();
    for (int i = 0; i < replies.size(); i++) {
      if (replies.get(i).get().found()) {
        expectedKeys.computeIfAbsent(replies.get(i).get().shard(), shard -> new ArrayList<>()).add(submitted.get(i));
      }
    }
    Map<Integer, List<String>> publishedKeys = new TreeMap<>();
    for (Event event : published) {
      publishedKeys.computeIfAbsent(event.getShard(), shard -> new ArrayList<>()).add(event.getKey());
    }
    assertEquals(expectedKeys, publishedKeys);
    Map<Integer, Long> lastSeq = new HashMap<>();
    for (Event event : published) {
      long previous = lastSeq.getOrDefault(event.getShard(), 0L);
      assertEquals(previous + 1, event.getSeq(), "shard " + event.getShard());
      lastSeq.put(event.getShard(), event.getSeq());
    }
  }

  /**
   * The replication lag counts from the commit: events handed over carry the time the batch's
   * write (and sync) returned, not the time the batch was built before it.
   */
  @Test
  void eventsCarryTheTimeTheirBatchCameBackFromTheDisk() throws Exception {
    AtomicLong clockMs = new AtomicLong(1_000);
    WritePipeline.BatchCommitter slowDisk = batch -> {
      clockMs.addAndGet(40); // the sync takes 40 ms
      store.write(batch);
    };
    List<Long> committedAt = Collections.synchronizedList(new ArrayList<>());
    EventSink sink = batch -> batch.forEach(events -> committedAt.add(events.committedAtMs()));
    try (WritePipeline pipeline = new WritePipeline(store, PipelineFixture.leader(1), 1000, new BacklogPins(), sink,
        slowDisk, PipelineFixture.anyDisk(store), clockMs::get, PipelineMetrics.NONE, PipelineFixture.SUPERVISOR)) {
      await(pipeline.put("k", "v".getBytes(StandardCharsets.UTF_8)));
    }
    assertEquals(List.of(1_040L), committedAt);
    // The log entry keeps the stamp of the batch's start (CommitTimes reads it).
    assertEquals(1_000L, SinkEvents.parse(logEntry(PipelineFixture.SHARD_OF.shardOf("k"), 1)).getCommitTimeMs());
  }

  @Test
  void nothingIsPublishedWhileTheBatchIsUncommitted() throws Exception {
    GatedCommitter gate = new GatedCommitter(store);
    try (WritePipeline pipeline = pipeline(store, 1, 1000, new BacklogPins(), recordingSink, gate)) {
      CompletableFuture<Committed> reply = pipeline.put("k", "v".getBytes(StandardCharsets.UTF_8));
      gate.awaitBlocked();
      assertEquals(List.of(), published);
      gate.open();
      await(reply);
      assertEquals(1, published.size());
      assertTrue(problems.isEmpty(), problems.toString());
    }
  }

  @Test
  void notFoundDeletePublishesNothing() throws Exception {
    try (WritePipeline pipeline = pipeline(store, 1, 1000, new BacklogPins(), recordingSink, store::write)) {
      await(pipeline.delete("absent"));
    }
    assertEquals(List.of(), published);
  }
}
