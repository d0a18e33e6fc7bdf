package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.core.watch.WatchOptions;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.leader.LeaderConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GET /watch as Server-Sent Events against a real leader: what a reader gets, and what a stalled reader costs. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WatchHttpTest {
  /** Changes a leader queues for one watcher before it cancels it WATCH_TOO_SLOW. */
  private static final int LEADER_QUEUE = 8;
  /** One client for the /metrics probes: one pooled connection to the gateway, counted once. */
  private static final HttpClient PROBE = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  static InProcessLeader leader;
  static GatewayUnderTest gateway;

  @BeforeAll
  static void start() {
    leader = InProcessLeader.start(LeaderConfig.forTest(dataDir).withWatch(new WatchOptions(10_000, LEADER_QUEUE, 200)));
    gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    leader.close();
  }

  @Test
  void aStreamStartsWithItsRevisionAndAResumeFromItWithPrevGetsTheWritesMadeMeanwhileWithTheirPreviousValues()
      throws Exception {
    long start;
    try (BufferedReader first = sse("/watch?prefix=p/&prev=true", null)) {
      List<String> told = nextEvent(first);
      assertEquals("event:progress", told.get(1), told.toString());
      start = Long.parseLong(told.get(0).substring("id:".length()));
    } // lost before any change
    long v1 = put("p/1", "one");
    long v2 = put("p/1", "two");
    assertTrue(start > 0 && start < v1, start + " < " + v1);

    try (BufferedReader resumed = sse("/v1/watch?prefix=p/&prev=true", start)) { // as a browser's EventSource resumes
      List<String> first = nextEvent(resumed);
      List<String> second = nextEvent(resumed);
      assertEquals(List.of("id:" + v1, "event:put",
          "data:{\"key\":\"p/1\",\"revision\":" + v1 + ",\"value\":\"b25l\",\"encoding\":\"base64\"}"), first);
      assertEquals(List.of("id:" + v2, "event:put", "data:{\"key\":\"p/1\",\"revision\":" + v2
          + ",\"value\":\"dHdv\",\"encoding\":\"base64\",\"prev_value\":\"b25l\",\"prev_version\":" + v1 + "}"), second);
      assertEquals(List.of("id:" + v2, "event:progress", "data:{\"revision\":" + v2 + "}"), nextEvent(resumed),
          "after the changes kept, where the stream is");
    }
  }

  private static BufferedReader sse(String path, Long lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path));
    if (lastEventId != null) {
      request.header("Last-Event-ID", Long.toString(lastEventId));
    }
    HttpResponse<InputStream> response = PROBE.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
  }

  /** The lines of the next event (up to its blank line). */
  private static List<String> nextEvent(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) {
        if (!lines.isEmpty()) {
          return lines;
        }
      } else {
        lines.add(line);
      }
    }
    throw new AssertionError("the stream ended: " + lines);
  }

  private static long put(String key, String value) {
    return leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build())
        .getVersion();
  }

  @Test
  void aReaderThatStopsReadingIsCancelledOnTheLeaderWhileWritesGoOnAndTheGatewayLetsItsStreamGo() throws Exception {
    int others = gatewayConnections(); // this probe's own, and any other test's
    try (Socket reader = new Socket()) {
      reader.setReceiveBufferSize(4096);
      reader.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
      OutputStream request = reader.getOutputStream();
      request.write(("GET /watch?prefix=big/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      request.flush();
      InputStream in = reader.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      while (!received.toString(StandardCharsets.UTF_8).contains("event:progress")) { // the start, then it stalls
        int b = in.read();
        assertTrue(b >= 0, "the response ended before its first event: " + received);
        received.write(b);
      }
      assertEquals(1, openWatches(), "the gateway's watch is open on the leader");

      byte[] value = new byte[64 << 10];
      Arrays.fill(value, (byte) 'v');
      int writes = 200; // ~17 MB of events: past any socket buffer, window and queue on the way
      for (int i = 0; i < writes; i++) {
        leader.kv().put(PutRequest.newBuilder().setKey("big/" + i).setValue(ByteString.copyFrom(value)).build());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (openWatches() != 0) { // the backlog reached the leader, which cancelled the watch
        if (System.nanoTime() > deadline) {
          fail("the leader did not cancel the stalled watch within 30 s of " + writes + " writes");
        }
        Thread.sleep(50);
      }

      assertEquals(others + 1, gatewayConnections(), "the stalled reader's connection is still open");
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (gatewayConnections() > others) { // the gateway gives up the stalled stream (and its connection)
        if (System.nanoTime() > deadline) {
          fail("the gateway still holds the stalled stream open 30 s after the leader cancelled its watch");
        }
        Thread.sleep(100);
      }
      // The reader comes back: it gets what the sockets held, then the end, without the graceful
      // close of a stream whose events were kept for it.
      reader.setSoTimeout(30_000);
      byte[] buffer = new byte[64 << 10];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        fail("the gateway still holds the stalled stream open 30 s after the leader cancelled its watch");
      } catch (IOException reset) {
        // aborted: a reset is an end too
      }
      String body = received.toString(StandardCharsets.UTF_8);
      int events = body.split("event:put", -1).length - 1;
      assertTrue(events < writes, "the gateway did not take in every change for a reader that reads nothing: " + events);
      assertFalse(body.endsWith("0\r\n\r\n"), "aborted, not ended as a complete response");
      assertFalse(body.contains("event:error"), "no event is added for a reader that is not reading");
    }
  }

  /** The gateway's open HTTP connections (armeria_server_connections), this probe's included. */
  private static int gatewayConnections() throws Exception {
    HttpResponse<String> metrics = PROBE.send(HttpRequest.newBuilder(gateway.uri("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("armeria_server_connections")) {
        return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no armeria_server_connections in the gateway's /metrics");
  }

  /** The leader's kvdb_watches_open gauge. */
  private static int openWatches() throws Exception {
    HttpResponse<String> metrics = PROBE.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + leader.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("kvdb_watches_open ")) {
        return (int) Double.parseDouble(line.substring("kvdb_watches_open ".length()));
      }
    }
    throw new AssertionError("no kvdb_watches_open in the leader's /metrics");
  }
}
