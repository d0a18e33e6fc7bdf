package io.kvdb.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.Status.Code;
import io.kvdb.api.v1.DeleteRequest;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KVGrpc;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WaitForAcks;
import io.kvdb.core.config.Limits;
import io.kvdb.common.sharding.KeyShards;
import io.kvdb.testing.RawGrpc;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The reference the KV fuzz test checks the leader against: a sorted copy of what the leader must
 * hold, and the status every request must get according to the documented contract (kv.proto and
 * the limits). Requests are sent one at a time, so the copy is exact.
 */
final class KvModel {
  /** The RPCs of the KV service. */
  enum Rpc { PUT, GET, DELETE, LIST }

  private final NavigableMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
  private final Limits limits;
  private final int replicationFactor;

  private final int shards;

  /** @param shards the leader's shard count, for List's shards filter */
  KvModel(Limits limits, int replicationFactor, int shards) {
    this.limits = limits;
    this.replicationFactor = replicationFactor;
    this.shards = shards;
  }

  /** The status the leader must answer {@code request} (raw bytes of an {@code rpc} request) with. */
  Code expect(Rpc rpc, byte[] request) {
    if (request.length > limits.maxMessageBytes()) {
      return Code.RESOURCE_EXHAUSTED;
    }
    try {
      return switch (rpc) {
        case PUT -> expectPut(PutRequest.parseFrom(request));
        case GET -> expectGet(GetRequest.parseFrom(request));
        case DELETE -> expectDelete(DeleteRequest.parseFrom(request));
        case LIST -> expectList(ListRequest.parseFrom(request));
      };
    } catch (InvalidProtocolBufferException e) {
      return Code.INVALID_ARGUMENT; // not a message of the request's type (or not UTF-8 in a string)
    }
  }

  private Code expectPut(PutRequest put) {
    Code key = keyCheck(put.getKey());
    if (key != Code.OK) {
      return key;
    }
    if (put.getValue().size() > limits.maxValueBytes()) {
      return Code.RESOURCE_EXHAUSTED;
    }
    return acksCheck(put.getWait());
  }

  private Code expectGet(GetRequest get) {
    Code key = keyCheck(get.getKey());
    return key != Code.OK ? key : data.containsKey(utf8(get.getKey())) ? Code.OK : Code.NOT_FOUND;
  }

  private Code expectDelete(DeleteRequest delete) {
    Code key = keyCheck(delete.getKey());
    if (key != Code.OK) {
      return key;
    }
    Code acks = acksCheck(delete.getWait());
    if (acks != Code.OK) {
      return acks;
    }
    return data.containsKey(utf8(delete.getKey())) ? Code.OK : Code.NOT_FOUND;
  }

  private Code expectList(ListRequest list) {
    boolean inBounds = utf8(list.getPrefix()).length <= limits.maxKeyBytes()
        && utf8(list.getStartAfter()).length <= limits.maxKeyBytes()
        && list.getShardsList().stream().allMatch(shard -> Integer.toUnsignedLong(shard) < shards);
    return inBounds ? Code.OK : Code.INVALID_ARGUMENT;
  }

  private Code keyCheck(String key) {
    if (key.isEmpty()) {
      return Code.INVALID_ARGUMENT;
    }
    return utf8(key).length > limits.maxKeyBytes() ? Code.RESOURCE_EXHAUSTED : Code.OK;
  }

  private Code acksCheck(WaitForAcks wait) {
    // uint32 on the wire: 4294967295 is more than any replication factor, not -1.
    return Integer.toUnsignedLong(wait.getMinAcks()) > replicationFactor ? Code.INVALID_ARGUMENT : Code.OK;
  }

  /** Applies a request the leader accepted, and checks the reply's content where it has one. */
  void accepted(Rpc rpc, byte[] request, byte[] reply) throws InvalidProtocolBufferException {
    switch (rpc) {
      case PUT -> {
        PutRequest put = PutRequest.parseFrom(request);
        data.put(utf8(put.getKey()), put.getValue().toByteArray());
      }
      case DELETE -> data.remove(utf8(DeleteRequest.parseFrom(request).getKey()));
      case GET -> {
        GetRequest get = GetRequest.parseFrom(request);
        assertArrayEquals(data.get(utf8(get.getKey())), GetResponse.parseFrom(reply).getValue().toByteArray(),
            "value of " + abbreviate(get.getKey()));
      }
      case LIST -> {
        ListRequest list = ListRequest.parseFrom(request);
        assertEquals(page(list), withoutVersions(ListResponse.parseFrom(reply)), "page for " + abbreviate(list.toString()));
      }
    }
  }

  /** A page as this reference gives it: keys and values only (versions are the leader's own; checked elsewhere). */
  private static ListResponse withoutVersions(ListResponse page) {
    ListResponse.Builder plain = page.toBuilder();
    plain.getItemsBuilderList().forEach(item -> item.clearVersion());
    return plain.build();
  }

  /**
   * The page the leader must return: keys after the cursor with the prefix (and in the shards asked
   * for, if any), in unsigned UTF-8 order.
   */
  ListResponse page(ListRequest list) {
    Set<Integer> asked = Set.copyOf(list.getShardsList());
    byte[] prefix = utf8(list.getPrefix());
    byte[] after = utf8(list.getStartAfter());
    int size = list.getLimit() == 0 ? limits.defaultPageSize()
        : (int) Math.min(Integer.toUnsignedLong(list.getLimit()), limits.maxPageSize());
    boolean afterCursor = after.length > 0 && Arrays.compareUnsigned(after, prefix) >= 0;
    ListResponse.Builder page = ListResponse.newBuilder();
    for (Map.Entry<byte[], byte[]> entry : data.tailMap(afterCursor ? after : prefix, !afterCursor).entrySet()) {
      if (!startsWith(entry.getKey(), prefix)) {
        break;
      }
      if (!asked.isEmpty() && !asked.contains(KeyShards.shardOf(entry.getKey(), shards))) {
        continue;
      }
      if (page.getItemsCount() == size) {
        page.setHasMore(true).setNextStartAfter(page.getItems(size - 1).getKey());
        break;
      }
      KeyValue.Builder item = KeyValue.newBuilder().setKey(new String(entry.getKey(), StandardCharsets.UTF_8));
      if (!list.getKeysOnly()) {
        item.setValue(com.google.protobuf.ByteString.copyFrom(entry.getValue()));
      }
      page.addItems(item);
    }
    return page.build();
  }

  /** Records a write accepted through another API (the gateway's). */
  void put(String key, byte[] value) {
    data.put(utf8(key), value);
  }

  void remove(String key) {
    data.remove(utf8(key));
  }

  boolean contains(String key) {
    return data.containsKey(utf8(key));
  }

  /**
   * Pages through every key on the leader (over {@code channel}), each page equal to the one this
   * reference gives; returns the number of pages read.
   */
  int assertLeaderHoldsTheSame(Channel channel) throws InvalidProtocolBufferException {
    String after = "";
    int pages = 0;
    do {
      ListRequest request = ListRequest.newBuilder().setStartAfter(after).setLimit(limits.maxPageSize()).build();
      ListResponse page = ListResponse.parseFrom(RawGrpc.call(channel, KVGrpc.getListMethod(), request.toByteArray()));
      assertEquals(page(request), withoutVersions(page), "page after " + abbreviate(after));
      after = page.getHasMore() ? page.getNextStartAfter() : null;
      pages++;
    } while (after != null);
    return pages;
  }

  int size() {
    return data.size();
  }

  /** UTF-8 as protobuf writes it: a lone surrogate becomes '?', as in String.getBytes. */
  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 120) + "... (" + text.length() + " chars)";
  }
}
