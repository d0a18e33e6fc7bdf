package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.client.KvException;
import io.kvdb.common.errors.ErrorReasons;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KV.Watch against real leader processes: a resume across a restart, compaction, a stalled watcher. */
@Timeout(300)
class WatchIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aWatchResumesAcrossALeaderRestartWithNoChangeLostOrSeenTwice() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "4", "--watch-progress-ms", "100")) {
      cluster.startLeader();
      // From the revision of a write before the watch opens: nothing after it can be missed.
      long start = cluster.client().put("w/start", ByteString.copyFromUtf8("start")).getVersion();
      List<String> seen = new CopyOnWriteArrayList<>();
      List<Long> revisions = new CopyOnWriteArrayList<>();
      CompletableFuture<Long> watching = CompletableFuture.supplyAsync(() -> cluster.client().watch(
          WatchRequest.newBuilder().setPrefix("w/").setFromRevision(start).build(), WAIT, message -> {
            if (message.hasEvent()) {
              seen.add(message.getEvent().getKey());
              revisions.add(message.getEvent().getRevision());
            }
            return seen.size() < 100;
          }));
      for (int i = 0; i < 50; i++) {
        cluster.client().put("w/" + i, ByteString.copyFromUtf8("before"));
        cluster.client().put("other/" + i, ByteString.copyFromUtf8("not watched"));
      }
      cluster.await("the watcher saw the first 50", WAIT, () -> seen.size() == 50);
      cluster.leader().kill(); // sync mode: every acknowledged write is on disk
      cluster.startLeader();
      cluster.await("the client reaches the new leader", WAIT, () -> {
        try {
          cluster.client().get("other/0"); // a read: an UNAVAILABLE write might still have been sent
          return true;
        } catch (KvException e) {
          return false;
        }
      });
      for (int i = 50; i < 100; i++) {
        cluster.client().put("w/" + i, ByteString.copyFromUtf8("after"));
      }
      long last = watching.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("w/" + i);
      }
      assertEquals(expected, seen, "every change once, in order");
      for (int i = 1; i < revisions.size(); i++) {
        assertTrue(revisions.get(i) > revisions.get(i - 1), "revisions increase: " + revisions);
      }
      assertEquals(revisions.get(99), last);
    }
  }

  @Test
  void aResumeOlderThanTheHistoryOrFromBeforeAGapIsCompacted() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "4", "--watch-history-events", "10")) {
      cluster.startLeader();
      long oldest = cluster.client().put("c/0", ByteString.copyFromUtf8("0")).getVersion();
      for (int i = 1; i < 30; i++) {
        cluster.client().put("c/" + i, ByteString.copyFromUtf8(Integer.toString(i)));
      }
      KvException compacted = assertThrows(KvException.class, () -> cluster.client().watch(
          WatchRequest.newBuilder().setPrefix("c/").setFromRevision(oldest).build(), WAIT, message -> true));
      assertEquals(Status.Code.OUT_OF_RANGE, compacted.code());
      assertEquals(ErrorReasons.WATCH_COMPACTED, compacted.reason().orElse(""));
    }
  }

  @Test
  void aStalledWatcherIsCancelledWhileWritesGoOn() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "4", "--watch-queue-events", "50",
        "--durability", "async")) {
      cluster.startLeader();
      AtomicReference<ClientCallStreamObserver<WatchRequest>> call = new AtomicReference<>();
      CompletableFuture<Throwable> ended = new CompletableFuture<>();
      List<Long> received = new CopyOnWriteArrayList<>();
      KVGrpc.newStub(cluster.leaderChannel()).watch(WatchRequest.newBuilder().setPrefix("s/").build(),
          new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
              requestStream.disableAutoRequestWithInitial(0); // read nothing: a stalled watcher
              call.set(requestStream);
            }

            @Override
            public void onNext(WatchResponse value) {
              if (value.hasEvent()) {
                received.add(value.getEvent().getRevision());
              }
            }

            @Override
            public void onError(Throwable t) {
              ended.complete(t);
            }

            @Override
            public void onCompleted() {
              ended.complete(null);
            }
          });
      ByteString value = ByteString.copyFrom(new byte[16 * 1024]);
      long started = System.nanoTime();
      int writes = 0;
      // 48 MB of changes, far past any transport window: the leader must drop the watcher, not wait.
      for (; writes < 3000; writes++) {
        cluster.client().put("s/" + (writes % 100), value);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      call.get().request(Integer.MAX_VALUE); // now read what was in flight, up to the end
      Throwable end = ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertNotNull(end, "the stream ended with an error");
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(end).getCode(), end.toString());
      assertTrue(ErrorReasons.hasReason(end, ErrorReasons.WATCH_TOO_SLOW), end.toString());
      assertTrue(received.size() < writes, "it was cut off: " + received.size() + " of " + writes);
      assertEquals(3000, writes);
      System.out.printf("%d writes in %.1f s while a watcher stalled; it got %d before it was cancelled%n", writes,
          seconds, received.size());
    }
  }

  @Test
  void theGatewayStreamsChangesAsServerSentEventsResumedByLastEventIdAndEndsWhenTheLeaderGoes() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "--shards", "4")) {
      cluster.startLeader();
      cluster.startGateway();
      long start = cluster.client().put("h/0", ByteString.copyFromUtf8("zero")).getVersion();
      long second = cluster.client().put("h/1", ByteString.copyFromUtf8("one")).getVersion();
      cluster.client().put("h/2", ByteString.copyFromUtf8("two"));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      // From the first put, with Last-Event-ID naming the second: the header wins, as a browser resumes.
      java.net.http.HttpResponse<java.util.stream.Stream<String>> response = http.send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + cluster.gatewayPort
              + "/watch?prefix=h/&from=" + start)).header("Last-Event-ID", Long.toString(second)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofLines());
      if (response.statusCode() != 200) {
        throw new AssertionError(response.statusCode() + ": " + String.join("\n", response.body().toList())
            + "\n" + cluster.logTails());
      }
      assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
      List<String> lines = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> response.body().forEach(lines::add));
      cluster.await("the put of h/2 as an event", WAIT, () -> lines.contains("event:put"));
      cluster.leader().kill();
      reading.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the gateway ends the stream
      String all = String.join("\n", lines);
      assertEquals(1, lines.stream().filter("event:put"::equals).count(), all);
      assertTrue(all.contains("\"key\":\"h/2\""), all);
      assertTrue(!all.contains("\"key\":\"h/1\""), "h/1 was seen before Last-Event-ID: " + all);
      assertTrue(all.contains("event:error"), all);
      assertTrue(all.contains("\"code\":"), all); // UNKNOWN or UNAVAILABLE, as the transport saw the leader go
    }
  }
}
