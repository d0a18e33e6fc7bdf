package io.kvdb.cli;

import io.kvdb.cli.CliRun.Result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvdb.client.testing.FakeFollower;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kv get --stale} and {@code kv list --stale} against fake followers on real gRPC ports,
 * with no leader: the value and which copy answered, a not-found with its seq, a shard no one
 * serves, the merged listing and its missing shards, and what to pass when no leader can be asked.
 */
@Timeout(60)
class StaleReadTest {
  private static final int SHARDS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<FakeFollower> followers = new ArrayList<>();


  @AfterEach
  void stop() {
    followers.forEach(FakeFollower::close);
  }

  private FakeFollower follower() {
    FakeFollower follower = FakeFollower.onTcp(SHARDS);
    followers.add(follower);
    return follower;
  }

  private static String keyOf(int shard) {
    return FakeFollower.keysOfShard(shard, SHARDS, "k", 1).get(0);
  }

  @Test
  void getAndListReadTheFollowersGivenAndSaySo() throws IOException {
    FakeFollower older = follower().holds(0, 3).holds(1, 4).put(keyOf(0), "old").put(keyOf(1), "b");
    FakeFollower newer = follower().holds(0, 9).put(keyOf(0), "new");
    String list = older.address + "," + newer.address;
    String deadLeader = "127.0.0.1:" + freePort();

    Result got = kv("--leader", deadLeader, "get", "--stale", keyOf(0), "--followers", list);
    assertEquals(0, got.code(), got.err());
    assertEquals("new\n", got.out());
    assertTrue(got.err().contains("stale read from follower " + newer.address + ": shard 0, applied seq 9, stale"),
        got.err());

    Result noHolder = kv("get", "--stale", keyOf(3), "--followers", list);
    assertEquals(3, noHolder.code(), noHolder.err());
    assertTrue(noHolder.err().contains("shard 3"), noHolder.err());

    Result listed = kv("list", "--stale", "--followers", list);
    assertEquals(1, listed.code(), listed.err()); // shards 2 and 3 are nowhere
    List<String> expected = new ArrayList<>(List.of(keyOf(0) + "\tnew", keyOf(1) + "\tb"));
    expected.sort((a, b) -> FakeFollower.KEY_ORDER.compare(a.split("\t")[0], b.split("\t")[0]));
    assertEquals(String.join("\n", expected) + "\n", listed.out());
    assertTrue(listed.err().contains("missing shards (no follower could serve them): [2, 3]"), listed.err());
  }

  @Test
  void withJsonTheCopyReadIsInTheAnswerAndAListingEndsWithItsMissingShards() throws IOException {
    FakeFollower older = follower().holds(0, 3).holds(1, 4).put(keyOf(0), "old").put(keyOf(1), "b");
    FakeFollower newer = follower().holds(0, 9).put(keyOf(0), "new");
    String list = older.address + "," + newer.address;

    Result got = kv("--json", "get", "--stale", keyOf(0), "--followers", list);
    assertEquals(0, got.code(), got.err());
    assertEquals(Map.of("key", keyOf(0), "value", "new", "encoding", "utf8", "shard", 0, "applied_seq", 9,
        "stale", true, "follower", newer.address), JSON.readValue(got.out(), Map.class));

    String absentKey = FakeFollower.keysOfShard(1, SHARDS, "absent", 1).get(0);
    Result absent = kv("--json", "get", "--stale", absentKey, "--followers", older.address);
    assertEquals(1, absent.code(), absent.out());
    JsonNode notFound = JSON.readTree(absent.out());
    assertEquals("NOT_FOUND", notFound.get("code").asText(), absent.out());
    assertEquals(absentKey, notFound.get("key").asText());
    assertEquals(older.address, notFound.get("follower").asText(), absent.out());
    assertEquals(List.of(1L, 4L, true), List.of(notFound.get("shard").asLong(), notFound.get("applied_seq").asLong(),
        notFound.get("stale").asBoolean()), absent.out());
    Result noHolder = kv("--json", "get", "--stale", keyOf(3), "--followers", list);
    assertEquals(3, noHolder.code(), noHolder.out());
    JsonNode unavailable = JSON.readTree(noHolder.out());
    assertEquals("UNAVAILABLE", unavailable.get("code").asText());
    assertEquals(3, unavailable.get("shard").asInt());

    Result listed = kv("--json", "list", "--stale", "--followers", list);
    assertEquals(1, listed.code(), listed.err());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : listed.out().lines().toList()) {
      lines.add(JSON.readTree(line));
    }
    assertEquals(3, lines.size(), "two pairs, then the error: " + listed.out());
    assertEquals(Set.of(keyOf(0), keyOf(1)), Set.of(lines.get(0).get("key").asText(), lines.get(1).get("key").asText()));
    assertEquals("new", (lines.get(0).get("key").asText().equals(keyOf(0)) ? lines.get(0) : lines.get(1))
        .get("value").asText());
    JsonNode last = lines.get(2);
    assertEquals("MISSING_SHARDS", last.get("code").asText(), listed.out());
    assertEquals("[2,3]", last.get("missing_shards").toString());
  }

  @Test
  void aNotFoundSaysWhichCopyWasRead() {
    FakeFollower holder = follower().holds(2, 12);
    Result absent = kv("get", "--stale", keyOf(2), "--followers", holder.address);
    assertEquals(1, absent.code(), absent.err());
    assertTrue(absent.err().contains("not found: " + keyOf(2) + " (stale read from follower " + holder.address
        + ": shard 2, applied seq 12"), absent.err());
  }

  @Test
  void withoutALeaderToAskItSaysToPassFollowers() throws IOException {
    Result result = kv("--leader", "127.0.0.1:" + freePort(), "get", "--stale", "k");
    assertEquals(3, result.code(), result.err());
    assertTrue(result.err().contains("pass --followers HOST:PORT"), result.err());
    assertEquals(2, kv("get", "--stale").code());
    assertEquals(2, kv("get", "--stale", "k", "--followers").code());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Result kv(String... args) {
    return CliRun.run(args);
  }
}
