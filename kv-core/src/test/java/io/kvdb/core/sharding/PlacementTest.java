package io.kvdb.core.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final int SHARDS = 1024;
  private static final List<String> FOUR = List.of("follower-1", "follower-2", "follower-3", "follower-4");

  @Test
  void eachShardGetsTheTopRDistinctFollowers() {
    Map<Integer, List<String>> placement = Placement.place(SHARDS, FOUR, 2);
    assertEquals(SHARDS, placement.size());
    placement.forEach((shard, holders) -> {
      assertEquals(2, holders.size(), "shard " + shard);
      assertEquals(2, new HashSet<>(holders).size(), "holders of shard " + shard + " are distinct");
      assertTrue(FOUR.containsAll(holders));
      // Highest weight first, and nobody left out outranks a holder.
      long lowestHeld = Placement.weight(holders.get(1), shard);
      assertTrue(Placement.weight(holders.get(0), shard) >= lowestHeld);
      for (String other : FOUR) {
        if (!holders.contains(other)) {
          assertTrue(Placement.weight(other, shard) <= lowestHeld, "shard " + shard + ": " + other + " outranks a holder");
        }
      }
    });
  }

  @Test
  void fewerFollowersThanRMeansAllOfThem() {
    assertEquals(Set.of("follower-1", "follower-2"),
        Set.copyOf(Placement.holdersOf(7, List.of("follower-1", "follower-2"), 3)));
    assertEquals(List.of(), Placement.holdersOf(7, List.of(), 1));
  }

  @Test
  void placementDoesNotDependOnTheOrderFollowersAreListed() {
    List<String> shuffled = new ArrayList<>(FOUR);
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(Placement.place(SHARDS, FOUR, 2), Placement.place(SHARDS, shuffled, 2));
  }

  @Test
  void shardsSpreadOverFollowers() {
    Map<String, Integer> held = new HashMap<>();
    Placement.place(SHARDS, FOUR, 1).values().forEach(holders -> held.merge(holders.get(0), 1, Integer::sum));
    for (String follower : FOUR) {
      int count = held.getOrDefault(follower, 0);
      assertTrue(count > SHARDS / 4 * 0.75 && count < SHARDS / 4 * 1.25, follower + " holds " + count + " of " + SHARDS);
    }
  }

  @Test
  void joiningFollowerTakesOnlyTheShardsItWins() {
    List<String> five = new ArrayList<>(FOUR);
    five.add("follower-5");
    Map<Integer, List<String>> before = Placement.place(SHARDS, FOUR, 1);
    Map<Integer, List<String>> after = Placement.place(SHARDS, five, 1);
    int moved = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      if (!before.get(shard).equals(after.get(shard))) {
        moved++;
        assertEquals(List.of("follower-5"), after.get(shard), "shard " + shard + " moved between old followers");
      }
    }
    // Ideal is 1/5 of the shards; modulo placement would move about 4/5.
    double fraction = moved / (double) SHARDS;
    assertTrue(fraction > 0.15 && fraction < 0.25, "moved " + fraction + " of the shards");
  }

  @Test
  void leavingFollowerMovesOnlyTheShardsItHeld() {
    List<String> three = FOUR.subList(0, 3);
    Map<Integer, List<String>> before = Placement.place(SHARDS, FOUR, 2);
    Map<Integer, List<String>> after = Placement.place(SHARDS, three, 2);
    int moved = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      List<String> old = before.get(shard);
      if (!old.contains("follower-4")) {
        assertEquals(Set.copyOf(old), Set.copyOf(after.get(shard)), "shard " + shard + " moved without cause");
      } else {
        moved++;
        // The surviving holder keeps the shard; only the lost copy is placed anew.
        List<String> kept = new ArrayList<>(old);
        kept.remove("follower-4");
        assertTrue(after.get(shard).containsAll(kept), "shard " + shard + " lost its surviving holder");
      }
    }
    // follower-4 held about 2/4 of the shards with R = 2.
    double fraction = moved / (double) SHARDS;
    assertTrue(fraction > 0.4 && fraction < 0.6, "moved " + fraction + " of the shards");
  }

  @Test
  void weightIsTheDocumentedHashOfIdAndShard() {
    // README: murmur3_x64_128(utf8(id) + shard as 4 bytes little-endian, seed 0), first 8 bytes LE.
    byte[] id = "follower-é".getBytes(StandardCharsets.UTF_8);
    byte[] input = ByteBuffer.allocate(id.length + 4).order(ByteOrder.LITTLE_ENDIAN).put(id).putInt(1234).array();
    long expected = Hashing.murmur3_128(0).hashBytes(input).asLong();
    assertEquals(expected, Placement.weight("follower-é", 1234));
  }

  @Test
  void replicationFactorBelowOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Placement.holdersOf(0, FOUR, 0));
    assertTrue(e.getMessage().contains("replication factor must be > 0"), e.getMessage());
  }
}
