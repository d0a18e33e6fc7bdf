package io.kvdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code kv watch} against a real leader: its lines, --prev, --json (io.kvdb.cli.json), and how it ends. */
@Timeout(60)
class KvCliWatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static LeaderServer leader;
  private static KvClient client;
  /** The revision before the changes below, and theirs. */
  private static long before;
  private static long v1;
  private static long v2;
  private static long v3;

  @BeforeAll
  static void start() throws Exception {
    leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    client = KvClient.connect("127.0.0.1:" + leader.grpcPort(), KvOptions.DEFAULT);
    before = client.put("other", ByteString.copyFromUtf8("x")).getVersion();
    v1 = client.put("w/1", ByteString.copyFromUtf8("one")).getVersion();
    v2 = client.put("w/1", ByteString.copyFromUtf8("two")).getVersion();
    v3 = client.delete("w/1").orElseThrow().getVersion();
  }

  @AfterAll
  static void stop() {
    client.close();
    leader.stop();
  }

  /** Stdout that takes {@code lines} lines, then fails as a closed pipe does, which ends the watch. */
  private static final class Lines extends OutputStream {
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private final int max;
    private int lines;

    Lines(int max) {
      this.max = max;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      if (lines >= max) {
        throw new IOException("the reader closed the pipe");
      }
      got.write(b);
      lines += b == '\n' ? 1 : 0;
    }

    @Override
    public synchronized void flush() throws IOException {
      if (lines >= max) {
        throw new IOException("the reader closed the pipe");
      }
    }

    synchronized List<String> lines() {
      return got.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  private record Result(int code, List<String> out, String err) {}

  private static Result watch(int lines, String... args) throws Exception {
    List<String> line = new ArrayList<>(List.of("--leader", "127.0.0.1:" + leader.grpcPort(), "watch"));
    line.addAll(List.of(args));
    Lines out = new Lines(lines);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CompletableFuture.supplyAsync(() -> KvCli.run(line.toArray(String[]::new), Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
        .get(30, TimeUnit.SECONDS);
    return new Result(code, out.lines(), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void oneLinePerChangeWithPrevTheValueAndVersionBefore() throws Exception {
    Result result = watch(3, "w/", "--from", Long.toString(before), "--prev");
    assertEquals(0, result.code(), result.err());
    assertEquals(List.of("put " + v1 + " w/1 one", "put " + v2 + " w/1 two prev_version=" + v1 + " prev_value=one",
        "delete " + v3 + " w/1 prev_version=" + v2 + " prev_value=two"), result.out());
  }

  @Test
  void jsonIsOneObjectALineAsTheOtherCommandsWriteValues() throws Exception {
    Result result = watch(4, "w/", "--from", Long.toString(before), "--prev", "--json");
    assertEquals(0, result.code(), result.err());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : result.out()) {
      lines.add(JSON.readTree(line));
    }
    assertEquals(Map.of("type", "put", "revision", v1, "key", "w/1", "value", "one", "encoding", "utf8"),
        JSON.convertValue(lines.get(0), Map.class));
    assertEquals(Map.of("type", "put", "revision", v2, "key", "w/1", "value", "two", "encoding", "utf8",
        "prev_value", "one", "prev_encoding", "utf8", "prev_version", v1), JSON.convertValue(lines.get(1), Map.class));
    assertEquals(Map.of("type", "delete", "revision", v3, "key", "w/1", "prev_value", "two", "prev_encoding", "utf8",
        "prev_version", v2), JSON.convertValue(lines.get(2), Map.class));
    assertEquals("progress", lines.get(3).get("type").asText());
    assertTrue(lines.get(3).get("revision").asLong() >= v3, lines.get(3).toString());
  }

  @Test
  void aRevisionTheLeaderNeverIssuedEndsTheWatchWithExit1AndTheReason() throws Exception {
    Result text = watch(10, "w/", "--from", Long.toString(Long.MAX_VALUE / 2));
    assertEquals(1, text.code());
    assertTrue(text.err().startsWith("kv: watch ended: OUT_OF_RANGE"), text.err());

    Result json = watch(10, "w/", "--from", Long.toString(Long.MAX_VALUE / 2), "--json");
    assertEquals(1, json.code());
    JsonNode error = JSON.readTree(json.out().get(0));
    assertEquals("OUT_OF_RANGE", error.get("code").asText());
    assertEquals(ErrorReasons.WATCH_COMPACTED, error.get("reason").asText());
    assertTrue(error.get("error").asText().startsWith("watch ended: "), error.toString());
  }

  @Test
  void aCommandLineThatDoesNotFitIsAUsageError() throws Exception {
    Result result = watch(10, "w/", "--since", "3");
    assertEquals(2, result.code());
    assertTrue(result.err().contains(WatchCommand.USAGE), result.err());
  }
}
