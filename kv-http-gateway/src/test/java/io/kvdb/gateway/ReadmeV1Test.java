package io.kvdb.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvdb.gateway.GatewayUnderTest.Reply;
import io.kvdb.gateway.config.GatewayConfig;
import io.kvdb.leader.LeaderConfig;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the curl commands of the README's "JSON API (/v1)" section, in order, against a gateway
 * in front of a fresh leader with the default 64 shards: each answer must be the one printed
 * under its command, field for field and in order. Only the values of {@code epoch} (a leader
 * start's), {@code version} (a revision, which starts at the epoch's floor) and {@code followers}
 * (the README shows {@code ./kv local}'s) may differ; they must be there all the same.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ReadmeV1Test {
  private static final String SECTION = "## JSON API (/v1)";
  private static final List<String> VARYING = List.of("epoch", "followers", "version");

  @TempDir Path dataDir;

  /** One curl command of the README and what the README says it prints. */
  record Call(String method, String path, String contentType, String body, boolean printsStatus, String printed) {}

  @Test
  void everyCurlCommandAnswersAsShown() throws IOException {
    List<Call> calls = calls(Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8));
    assertTrue(calls.size() >= 8, "found only " + calls.size() + " curl commands");
    LeaderConfig c = LeaderConfig.forTest(dataDir);
    LeaderConfig defaultShards = new LeaderConfig(c.host(), c.grpcPort(), c.pubPort(), c.controlPort(),
        c.metricsPort(), c.dataDir(), OptionalInt.empty(), c.replicationFactor(), c.durable(), c.limits(),
        c.backlogPerShard(), c.heartbeatMs(), c.deadTimeoutMs(), c.ackTimeoutMs(), c.minFreeDiskBytes());
    try (InProcessLeader leader = InProcessLeader.start(defaultShards);
        GatewayUnderTest gateway = GatewayUnderTest.start(GatewayConfig.forTest(leader.address()))) {
      for (Call call : calls) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(call.path()))
            .method(call.method(), call.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(call.body()));
        if (call.contentType() != null) {
          request.header("Content-Type", call.contentType());
        }
        Reply reply = gateway.send(request);

        String expected = call.printed();
        String actual = reply.body();
        if (call.printsStatus()) {
          actual += " " + reply.status();
          assertTrue(expected.matches(".* \\d{3}"), "no status after " + expected);
          assertEquals(expected.substring(expected.length() - 3), Integer.toString(reply.status()), call.toString());
          expected = expected.substring(0, expected.length() - 4);
          actual = reply.body();
        } else {
          assertEquals(200, reply.status(), call + " -> " + reply.body());
        }
        assertEquals(comparable(expected), comparable(actual), call.toString());
      }
    }
  }

  /** The JSON with the fields that vary from run to run blanked, as text (so the order counts). */
  private static String comparable(String json) {
    JsonNode node;
    try {
      node = GatewayUnderTest.JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
    blankVarying(node);
    return node.toString();
  }

  private static void blankVarying(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (String field : VARYING) {
        if (object.has(field)) {
          object.put(field, "(varies)");
        }
      }
    }
    node.forEach(ReadmeV1Test::blankVarying);
  }

  /** The curl commands of the section, each with the "# ..." line after it. */
  static List<Call> calls(String readme) {
    int start = readme.indexOf("\n" + SECTION + "\n");
    assertTrue(start >= 0, "README has no section " + SECTION);
    int end = readme.indexOf("\n## ", start + 1);
    String[] lines = readme.substring(start, end < 0 ? readme.length() : end).split("\n");
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("curl ")) {
        assertTrue(i + 1 < lines.length && lines[i + 1].startsWith("# "), "no answer shown after: " + lines[i]);
        calls.add(parse(lines[i], lines[i + 1].substring(2)));
      }
    }
    return calls;
  }

  private static Call parse(String line, String printed) {
    List<String> words = words(line);
    String method = null;
    String url = null;
    String contentType = null;
    String body = null;
    boolean status = false;
    for (int i = 1; i < words.size(); i++) {
      switch (words.get(i)) {
        case "-s" -> { }
        case "-X" -> method = words.get(++i);
        case "-H" -> {
          String header = words.get(++i);
          assertTrue(header.toLowerCase().startsWith("content-type: "), "only Content-Type is replayed: " + line);
          contentType = header.substring("content-type: ".length());
        }
        case "-d" -> body = words.get(++i);
        case "-w" -> {
          assertEquals(" %{http_code}\\n", words.get(++i), line);
          status = true;
        }
        default -> {
          assertTrue(!words.get(i).startsWith("-") && url == null, "unexpected '" + words.get(i) + "' in: " + line);
          url = words.get(i);
        }
      }
    }
    assertTrue(url != null && url.startsWith("localhost:3000/"), "no localhost:3000 URL in: " + line);
    if (method == null) {
      method = body == null ? "GET" : "POST";
    }
    return new Call(method, url.substring("localhost:3000".length()), contentType, body, status, printed);
  }

  /** The words of a shell command line: split at spaces, single quotes kept together, as sh does. */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char ch : line.toCharArray()) {
      if (ch == '\'') {
        quoted = !quoted;
        any = true;
      } else if (ch == ' ' && !quoted) {
        if (any) {
          words.add(word.toString());
          word.setLength(0);
          any = false;
        }
      } else {
        word.append(ch);
        any = true;
      }
    }
    assertTrue(!quoted, "unbalanced quote in: " + line);
    if (any) {
      words.add(word.toString());
    }
    return words;
  }
}
