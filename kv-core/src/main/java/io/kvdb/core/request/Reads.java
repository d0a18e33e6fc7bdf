package io.kvdb.core.request;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardDigest;
import io.kvdb.api.v1.ShardDigestsRequest;
import io.kvdb.api.v1.ShardDigestsResponse;
import io.kvdb.core.storage.KeyRange;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/** The reads that the leader and the followers answer alike: a List page, a missing key, shard digests. */
public final class Reads {
  /** The most value bytes one List page reads, whatever its limit (gRPC's default message cap is 4 MiB). */
  public static final long MAX_PAGE_BYTES = 3L << 20;

  private Reads() {}

  /** One List page over the shards that {@code shardFilter} accepts; as the leader and the followers serve it. */
  public static ListResponse list(KvStore store, int shards, IntPredicate shardFilter, RequestValidator validator,
      ListRequest request) {
    validator.bound("prefix", request.getPrefix());
    validator.bound("start_after", request.getStartAfter());
    KeyRange.Page page = KeyRange.list(store, shards, shardFilter,
        request.getPrefix().getBytes(StandardCharsets.UTF_8),
        request.getStartAfter().getBytes(StandardCharsets.UTF_8),
        validator.pageSize(request.getLimit()), request.getKeysOnly(), MAX_PAGE_BYTES);
    ListResponse.Builder out = ListResponse.newBuilder().setHasMore(page.hasMore());
    for (KeyRange.Pair pair : page.items()) {
      KeyValue.Builder item = KeyValue.newBuilder().setKey(pair.keyString());
      if (pair.value() != null) {
        item.setValue(ByteString.copyFrom(pair.value()));
      }
      out.addItems(item);
    }
    if (page.hasMore()) {
      out.setNextStartAfter(out.getItems(out.getItemsCount() - 1).getKey());
    }
    return out.build();
  }

  public static StatusRuntimeException notFound(String key) {
    return Status.NOT_FOUND.withDescription("key not found: " + abbreviate(key)).asRuntimeException();
  }

  private static String abbreviate(String key) {
    return key.length() <= 200 ? key : key.substring(0, 200) + "...";
  }

  /** The digests of the asked shards (all when none are asked); INVALID_ARGUMENT for a shard that does not exist. */
  public static ShardDigestsResponse digests(ShardDigestsRequest request, int shards, IntFunction<ShardState> states) {
    ShardDigestsResponse.Builder out = ShardDigestsResponse.newBuilder();
    List<Integer> asked = request.getShardsList();
    for (int shard = 0; shard < shards; shard++) {
      if (asked.isEmpty() || asked.contains(shard)) {
        out.addDigests(digest(shard, states.apply(shard)));
      }
    }
    for (int shard : asked) {
      if (shard < 0 || shard >= shards) {
        throw Status.INVALID_ARGUMENT.withDescription("shard " + Integer.toUnsignedString(shard)
            + " does not exist; shards are 0.." + (shards - 1)).asRuntimeException();
      }
    }
    return out.build();
  }

  public static ShardDigest digest(int shard, ShardState state) {
    return ShardDigest.newBuilder()
        .setShard(shard).setSeq(state.seq()).setKeys(state.keys()).setDigest(state.digest()).build();
  }
}
