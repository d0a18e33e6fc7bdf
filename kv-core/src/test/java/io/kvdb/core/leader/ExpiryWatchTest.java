package io.kvdb.core.leader;

import static io.kvdb.core.leader.PipelineFixture.SHARD_OF;
import static io.kvdb.core.leader.PipelineFixture.SUPERVISOR;
import static io.kvdb.core.leader.PipelineFixture.anyDisk;
import static io.kvdb.core.leader.PipelineFixture.await;
import static io.kvdb.core.leader.PipelineFixture.leader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.watch.WatchHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TTL's expiry, the writer's conditional delete, reaches watchers as a delete event carrying the
 * expired value as its previous one (injected wall clock).
 */
@Timeout(60)
class ExpiryWatchTest {
  private static final long START_MS = 1_700_000_000_000L;

  @TempDir Path dir;
  private final AtomicLong wallMs = new AtomicLong(START_MS);

  @Test
  void anExpiredKeysDeleteReachesItsWatchersAfterItsPut() throws Exception {
    WatchHub hub = new WatchHub(0, 100, 100, 100, 1_000, () -> 0);
    ReceivedChanges watcher = new ReceivedChanges();
    hub.watch(WatchRequest.newBuilder().setPrefix("session/").setPrev(true).build(), watcher);
    Committed put;
    try (KvStore store = KvStore.open(dir, false);
        WritePipeline pipeline = new WritePipeline(store, leader(1), 1000, new BacklogPins(), hub, store::write,
            anyDisk(store), () -> 1_000L, wallMs::get, PipelineMetrics.NONE, SUPERVISOR)) {
      put = await(pipeline.put("session/7", bytes("abc"), null, START_MS + 5_000));
      wallMs.set(START_MS + 5_000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (store.get(SHARD_OF.shardOf("session/7"), bytes("session/7")).isPresent()) {
        if (System.nanoTime() > deadline) {
          fail("session/7 was not deleted within 10 s of its deadline");
        }
        wallMs.addAndGet(ExpiryScan.INTERVAL_MS); // the scan runs on the writer's next batch
        await(pipeline.put("probe", bytes("p")));
      }
      hub.dispatch();
    }

    assertEquals(2, watcher.events.size(), "the put and the expiry's delete: " + watcher.events);
    WatchEvent first = watcher.events.get(0);
    WatchEvent expiry = watcher.events.get(1);
    assertEquals(WatchEvent.Type.PUT, first.getType());
    assertEquals(put.version(), first.getRevision());
    assertEquals(START_MS + 5_000, first.getExpiresAtMs(), "the put carries its deadline");
    assertEquals(WatchEvent.Type.DELETE, expiry.getType());
    assertEquals("session/7", expiry.getKey());
    assertTrue(expiry.getRevision() > put.version(), "the delete has a revision of its own");
    assertEquals(put.version(), expiry.getPrevVersion(), "with prev: the version that expired");
    assertEquals("abc", expiry.getPrevValue().toStringUtf8());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
