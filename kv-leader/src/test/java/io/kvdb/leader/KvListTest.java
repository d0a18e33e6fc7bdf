package io.kvdb.leader;

import static io.kvdb.leader.KvApiTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WriteResponse;
import io.kvdb.core.config.Limits;
import io.kvdb.core.sharding.ShardFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** List paging over more keys than a page holds, with prefix, start_after and keys_only. */
@Timeout(120)
class KvListTest {
  private static final int USERS = 1_500;
  private static final int ORDERS = 250;

  @RegisterExtension
  static final TestLeader leader = TestLeader.inProcess(config -> config.withLimits(new Limits(1024, 1 << 20,
      (1 << 20) + (64 << 10), 100, 400)));

  @BeforeAll
  static void fill() throws Exception {
    List<ListenableFuture<WriteResponse>> puts = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      puts.add(put(user(i), "u" + i));
    }
    for (int i = 0; i < ORDERS; i++) {
      puts.add(put(String.format("order:%04d", i), "o" + i));
    }
    Futures.allAsList(puts).get(60, TimeUnit.SECONDS);
  }

  @Test
  void pagingWithNextStartAfterVisitsEveryKeyOnceInOrder() {
    List<String> keys = new ArrayList<>();
    int pages = 0;
    ListRequest.Builder request = ListRequest.newBuilder().setLimit(300);
    while (true) {
      ListResponse page = leader.kv().list(request.build());
      pages++;
      page.getItemsList().forEach(item -> keys.add(item.getKey()));
      if (!page.getHasMore()) {
        assertEquals("", page.getNextStartAfter());
        break;
      }
      assertEquals(page.getItems(page.getItemsCount() - 1).getKey(), page.getNextStartAfter());
      request.setStartAfter(page.getNextStartAfter());
    }
    assertEquals(USERS + ORDERS, keys.size());
    assertEquals(keys.stream().sorted().toList(), keys, "ASCII keys: byte order is String order");
    assertEquals(keys.stream().distinct().count(), keys.size());
    assertEquals((USERS + ORDERS + 299) / 300, pages);
  }

  @Test
  void prefixPagesStayInsideThePrefix() {
    List<String> orders = new ArrayList<>();
    ListRequest.Builder request = ListRequest.newBuilder().setPrefix("order:").setLimit(100);
    ListResponse page;
    do {
      page = leader.kv().list(request.build());
      page.getItemsList().forEach(item -> orders.add(item.getKey()));
      request.setStartAfter(page.getNextStartAfter());
    } while (page.getHasMore());
    assertEquals(ORDERS, orders.size());
    assertEquals("order:0000", orders.get(0));
    assertEquals("order:0249", orders.get(ORDERS - 1));
  }

  @Test
  void startAfterAKeyThatDoesNotExist() {
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("order:").setStartAfter("order:0100x").setLimit(2).build());
    assertEquals(List.of("order:0101", "order:0102"), keys(page));
    assertTrue(page.getHasMore());
  }

  @Test
  void lastPageOfAPrefixHasNoMore() {
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("order:").setStartAfter("order:0247").build());
    assertEquals(List.of("order:0248", "order:0249"), keys(page));
    assertFalse(page.getHasMore());
    assertEquals("", page.getNextStartAfter());
  }

  @Test
  void keysOnlyOmitsValues() {
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("user:").setKeysOnly(true).setLimit(20).build());
    assertEquals(20, page.getItemsCount());
    for (KeyValue item : page.getItemsList()) {
      assertEquals(ByteString.EMPTY, item.getValue());
    }
    ListResponse withValues = leader.kv().list(ListRequest.newBuilder().setPrefix("user:").setLimit(1).build());
    assertEquals("u0", withValues.getItems(0).getValue().toStringUtf8());
  }

  @Test
  void noLimitMeansTheDefaultPageSize() {
    assertEquals(100, leader.kv().list(ListRequest.getDefaultInstance()).getItemsCount());
  }

  @Test
  void limitAboveTheMaximumIsCappedToIt() {
    assertEquals(400, leader.kv().list(ListRequest.newBuilder().setLimit(401).build()).getItemsCount());
  }

  @Test
  void largestUint32LimitIsCappedNotAnError() {
    // limit is a uint32: 4294967295 reaches Java as -1.
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setLimit(-1).build());
    assertEquals(400, page.getItemsCount());
    assertTrue(page.getHasMore());
  }

  @Test
  void unknownPrefixIsAnEmptyPage() {
    ListResponse page = leader.kv().list(ListRequest.newBuilder().setPrefix("nobody").build());
    assertEquals(0, page.getItemsCount());
    assertFalse(page.getHasMore());
  }

  @Test
  void listOfAPrefixLongerThanTheKeyLimitIsInvalid() {
    assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().list(ListRequest.newBuilder().setPrefix("x".repeat(1025)).build()));
  }

  @Test
  void aShardsFilterListsOnlyThoseShardsAndAllowStaleChangesNothing() {
    ShardFunction shards = new ShardFunction(8); // TestLeader's shard count
    List<String> keys = new ArrayList<>();
    ListRequest.Builder request = ListRequest.newBuilder().setPrefix("order:").addShards(5).addShards(2)
        .setAllowStale(true).setLimit(100);
    ListResponse page;
    do {
      page = leader.kv().list(request.build());
      assertFalse(page.getStale(), "the leader is never stale");
      assertEquals(0, page.getAppliedSeqsCount(), "applied seqs are a follower's");
      keys.addAll(keys(page));
      request.setStartAfter(page.getNextStartAfter());
    } while (page.getHasMore());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      String key = String.format("order:%04d", i);
      int shard = shards.shardOf(key);
      if (shard == 2 || shard == 5) {
        expected.add(key);
      }
    }
    assertFalse(expected.isEmpty());
    assertEquals(expected, keys);
  }

  @Test
  void aShardsFilterWithAShardThatDoesNotExistIsInvalid() {
    assertCode(Code.INVALID_ARGUMENT, () -> leader.kv().list(ListRequest.newBuilder().addShards(8).build()));
  }

  private static ListenableFuture<WriteResponse> put(String key, String value) {
    return leader.kvFuture().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build());
  }

  private static String user(int i) {
    return String.format("user:%05d", i);
  }

  private static List<String> keys(ListResponse page) {
    return page.getItemsList().stream().map(KeyValue::getKey).toList();
  }
}
