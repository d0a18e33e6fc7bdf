package io.kvdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.client.KvClient;
import io.kvdb.client.KvOptions;
import io.kvdb.follower.FollowerConfig;
import io.kvdb.follower.FollowerServer;
import io.kvdb.leader.LeaderConfig;
import io.kvdb.leader.LeaderServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's "JSON output" examples true: each {@code ./kv --json ... # {...}} line is run,
 * in order, against a fresh leader with a follower named follower-1, and its output has the
 * README's fields in the README's order, the same strings and booleans, and numbers and arrays
 * where the README shows them (shards and seqs depend on the shard count).
 */
@Timeout(120)
class ReadmeJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** {@code ./kv ARGS   # EXPECTED}. */
  private static final Pattern EXAMPLE = Pattern.compile("^\\./kv (.+?)\\s+# (\\{.*\\})$");
  private static final Pattern ARG = Pattern.compile("\"([^\"]*)\"|(\\S+)");

  @TempDir Path dir;

  @Test
  void theExamplesPrintWhatTheReadmeShows() throws Exception {
    List<String> examples = examples();
    assertTrue(examples.size() >= 5, "the README's JSON examples: " + examples);
    LeaderServer leader = new LeaderServer(LeaderConfig.forTest(dir.resolve("leader")),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    leader.start();
    FollowerServer follower = new FollowerServer(FollowerConfig.forTest(dir.resolve("f"), "follower-1",
        leader.pubPort(), leader.controlPort()), NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    follower.start();
    try {
      awaitLiveFollower(leader);
      for (String example : examples) {
        Matcher line = EXAMPLE.matcher(example);
        assertTrue(line.matches(), example);
        List<String> args = new ArrayList<>(List.of("--leader", "127.0.0.1:" + leader.grpcPort()));
        Matcher arg = ARG.matcher(line.group(1));
        while (arg.find()) {
          args.add(arg.group(1) != null ? arg.group(1) : arg.group(2));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KvCli.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertAlike(JSON.readTree(line.group(2)), JSON.readTree(printed), example + "\nprinted: " + printed);
      }
    } finally {
      follower.stop();
      leader.stop();
    }
  }

  private static void assertAlike(JsonNode expected, JsonNode actual, String what) {
    assertEquals(names(expected), names(actual), what);
    for (String name : names(expected)) {
      JsonNode want = expected.get(name);
      JsonNode got = actual.get(name);
      assertEquals(want.getNodeType(), got.getNodeType(), name + " in " + what);
      if (want.isTextual() || want.isBoolean()) {
        assertEquals(want, got, name + " in " + what);
      }
    }
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The lines of the README's "### JSON output" section's sh block that show an output. */
  private static List<String> examples() throws Exception {
    Path readme = Path.of("README.md");
    if (!Files.exists(readme)) {
      readme = Path.of("..").resolve("README.md");
    }
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    String section = text.substring(text.indexOf("\n### JSON output\n"));
    section = section.substring(0, section.indexOf("\n#", 1));
    String block = section.substring(section.indexOf("```sh\n") + 6);
    block = block.substring(0, block.indexOf("```"));
    return block.lines().filter(l -> EXAMPLE.matcher(l).matches()).toList();
  }

  private static void awaitLiveFollower(LeaderServer leader) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (KvClient client = KvClient.connect("127.0.0.1:" + leader.grpcPort(), KvOptions.DEFAULT)) {
      while (client.status().getFollowersList().stream().noneMatch(FollowerInfo::getAlive)) {
        assertTrue(System.nanoTime() < deadline, "no live follower within 60 s");
        Thread.sleep(50);
      }
    }
  }
}
