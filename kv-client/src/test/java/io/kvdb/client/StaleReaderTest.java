package io.kvdb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.kvdb.api.v1.FollowerInfo;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.StatusResponse;
import io.kvdb.client.testing.FakeFollower;
import io.kvdb.common.sharding.KeyShards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stale reader against fake followers served in-process (real gRPC, the Follower service as
 * the contract says): the freshest copy wins, a not-found carries its copy's seq, a shard with no
 * reachable holder is named, and listings merge the chosen copies in key order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StaleReaderTest {
  private static final int SHARDS = 4;
  private final String run = UUID.randomUUID().toString();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final StaleReader reader = StaleReader.over(address -> {
    ManagedChannel channel = InProcessChannelBuilder.forName(address).directExecutor().build();
    synchronized (channels) {
      channels.add(channel);
    }
    return channel;
  }, KvOptions.DEFAULT.withDeadline(Duration.ofSeconds(5)).withReadRetries(1, Duration.ZERO));

  @AfterEach
  void close() throws Exception {
    reader.close();
    channels.forEach(ManagedChannel::shutdownNow);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private FakeFollower follower(String name) {
    FakeFollower follower = FakeFollower.inProcess(run + "/" + name, SHARDS);
    closing.add(follower);
    return follower;
  }

  private String address(String name) {
    return run + "/" + name;
  }

  private static StatusResponse status(Map<String, List<Integer>> placement) {
    StatusResponse.Builder status = StatusResponse.newBuilder().setShards(SHARDS).setReplicationFactor(2);
    placement.forEach((address, shards) -> status.addFollowers(FollowerInfo.newBuilder().setId(address)
        .setAddress(address).addAllShards(shards)));
    return status.build();
  }

  @Test
  void theHolderWithTheHighestAppliedSeqAnswers() {
    String key = FakeFollower.keysOfShard(2, SHARDS, "k", 1).get(0);
    FakeFollower older = follower("older").holds(2, 5).put(key, "old");
    FakeFollower newer = follower("newer").holds(2, 9).put(key, "new");
    reader.useStatus(status(Map.of(older.address, List.of(2), newer.address, List.of(2))));

    StaleValue value = reader.get(key);

    assertEquals("new", value.value().orElseThrow().toStringUtf8());
    assertEquals(2, value.shard());
    assertEquals(9, value.appliedSeq());
    assertTrue(value.stale());
    assertEquals(newer.address, value.follower());
  }

  @Test
  void aNotFoundFromTheFreshestCopyIsTheAnswerWithItsSeq() {
    String key = FakeFollower.keysOfShard(1, SHARDS, "k", 1).get(0);
    FakeFollower behind = follower("behind").holds(1, 3).put(key, "deleted later");
    FakeFollower ahead = follower("ahead").holds(1, 7);
    reader.useStatus(status(Map.of(behind.address, List.of(1), ahead.address, List.of(1))));

    StaleValue value = reader.get(key);

    assertFalse(value.found());
    assertEquals(7, value.appliedSeq());
    assertEquals(ahead.address, value.follower());
  }

  @Test
  void aShardWithNoReachableHolderIsNamed() {
    String key = FakeFollower.keysOfShard(3, SHARDS, "k", 1).get(0);
    String otherKey = FakeFollower.keysOfShard(0, SHARDS, "k", 1).get(0);
    reader.useStatus(status(Map.of(address("gone"), List.of(3))));

    ShardUnavailableException down = assertThrows(ShardUnavailableException.class, () -> reader.get(key));
    assertEquals(3, down.shard());
    assertTrue(down.getMessage().contains(address("gone")), down.getMessage());

    ShardUnavailableException unknown = assertThrows(ShardUnavailableException.class, () -> reader.get(otherKey));
    assertEquals(0, unknown.shard());
  }

  @Test
  void aListingMergesTheChosenCopiesInKeyOrderWithoutDuplicatesAndNamesMissingShards() {
    // Shard 1 is on both; b's copy is fresher (one more key). Shard 3 is nowhere.
    FakeFollower a = follower("a").holds(0, 5).holds(1, 4);
    FakeFollower b = follower("b").holds(1, 8).holds(2, 6);
    TreeMap<String, String> expected = new TreeMap<>(KeyOrder.CODE_POINTS);
    // Keys beyond the BMP and just below it: UTF-16 order would swap these.
    List<String> keys = new ArrayList<>(List.of("\uE000x", "\uD83D\uDE00y", "z", "\uFFFDq"));
    for (int i = 0; i < 40; i++) {
      keys.add(String.format("key/%03d", i));
    }
    for (String key : keys) {
      int shard = KeyShards.shardOf(key, SHARDS);
      switch (shard) {
        case 0 -> a.put(key, "a:" + key);
        case 1 -> {
          b.put(key, "b:" + key);
          if (!key.equals("key/001")) {
            a.put(key, "a:" + key);
          }
        }
        case 2 -> b.put(key, "b:" + key);
        default -> { continue; }
      }
      expected.put(key, (shard == 0 ? "a:" : "b:") + key);
    }
    reader.useStatus(status(Map.of(a.address, List.of(0, 1), b.address, List.of(1, 2), address("gone"), List.of(3))));

    StaleListing listing = reader.list(ListRequest.newBuilder().setLimit(3).build());

    assertEquals(List.of(3), listing.missingShards());
    assertEquals(Map.of(0, 5L, 1, 8L, 2, 6L), listing.appliedSeqs());
    List<KeyValue> all = new ArrayList<>();
    StalePage page;
    do {
      page = listing.nextPage(5).join();
      assertTrue(page.failure().isEmpty(), page.toString());
      all.addAll(page.items());
    } while (page.hasMore());
    assertEquals(new ArrayList<>(expected.keySet()), all.stream().map(KeyValue::getKey).toList());
    assertEquals(new ArrayList<>(expected.values()), all.stream().map(kv -> kv.getValue().toStringUtf8()).toList());
    assertTrue(a.listedShards.stream().allMatch(List.of(0)::equals), a.listedShards.toString());
    assertTrue(b.listedShards.stream().allMatch(List.of(1, 2)::equals), b.listedShards.toString());
    assertTrue(listing.nextPage(5).join().items().isEmpty());
  }

  @Test
  void aHolderFailingMidListingEndsItWithItsShardsAfterThePairsDelivered() {
    FakeFollower a = follower("a").holds(0, 5).holds(1, 5);
    FakeFollower b = follower("b").holds(2, 5).holds(3, 5);
    List<String> all = new ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      for (String key : FakeFollower.keysOfShard(shard, SHARDS, "key/", 10)) {
        (shard < 2 ? a : b).put(key, "v");
        all.add(key);
      }
    }
    all.sort(KeyOrder.CODE_POINTS);
    b.failListAfterPages(1);
    reader.useStatus(status(Map.of(a.address, List.of(0, 1), b.address, List.of(2, 3))));

    StaleListing listing = reader.list(ListRequest.newBuilder().setLimit(4).build());
    List<String> delivered = new ArrayList<>();
    StalePage page;
    do {
      page = listing.nextPage(3).join();
      page.items().forEach(kv -> delivered.add(kv.getKey()));
    } while (page.hasMore());

    StalePage.Failure failure = page.failure().orElseThrow(() -> new AssertionError("no failure reported"));
    assertEquals(b.address, failure.follower());
    assertEquals(List.of(2, 3), failure.shards());
    assertTrue(failure.message().startsWith("UNAVAILABLE"), failure.message());
    assertTrue(delivered.size() >= 4 && delivered.size() < all.size(), delivered.toString());
    assertEquals(all.subList(0, delivered.size()), delivered, "what came before the failure is in key order");
    assertEquals(Optional.empty(), listing.nextPage(3).join().failure());
    assertFalse(listing.nextPage(3).join().hasMore());
  }

  @Test
  void followersGivenByAddressAreLearnedFromTheirStatus() {
    String key = FakeFollower.keysOfShard(1, SHARDS, "k", 1).get(0);
    FakeFollower a = follower("a").holds(1, 2).put(key, "v");

    FollowerMap map = reader.discoverAsync(List.of(a.address, address("gone"))).join();

    assertEquals(SHARDS, map.shardCount());
    assertEquals(List.of(a.address), map.holdersOf(1));
    assertEquals(List.of(), map.holdersOf(0));
    assertEquals("v", reader.get(key).value().orElseThrow().toStringUtf8());
    KvException none = assertThrows(KvException.class,
        () -> StaleReaderImplTestAccess.join(reader.discoverAsync(List.of(address("gone")))));
    assertTrue(none.getMessage().contains(address("gone")), none.getMessage());
  }

  @Test
  void aReaderWithoutFollowersSaysSo() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> reader.get("k"));
    assertTrue(e.getMessage().contains("no followers known"), e.getMessage());
  }
}
