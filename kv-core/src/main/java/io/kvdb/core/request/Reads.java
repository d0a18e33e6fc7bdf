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
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.storage.KeyRange;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/** The reads that the leader and the followers answer alike: a List page, a missing key, shard digests. */
public final class Reads {
  /** The most value bytes one List page reads, whatever its limit (gRPC's default message cap is 4 MiB). */
  public static final long MAX_PAGE_BYTES = 3L << 20;

  private Reads() {}

  /**
   * The shards a List reads: those it asks for ({@code ListRequest.shards}), or every shard that
   * {@code served} accepts when it asks for none. A shard that does not exist is INVALID_ARGUMENT;
   * one that exists but is not served here is FAILED_PRECONDITION, naming it and saying
   * {@code notServed} (the leader serves every shard; a follower only those it holds in the state
   * the request asks for).
   */
  public static BitSet listedShards(List<Integer> asked, int shards, IntPredicate served, String notServed) {
    BitSet listed = new BitSet(shards);
    if (asked.isEmpty()) {
      for (int shard = 0; shard < shards; shard++) {
        listed.set(shard, served.test(shard));
      }
      return listed;
    }
    for (int shard : asked) {
      if (shard < 0 || shard >= shards) {
        throw Status.INVALID_ARGUMENT.withDescription("shard " + Integer.toUnsignedString(shard)
            + " does not exist; shards are 0.." + (shards - 1)).asRuntimeException();
      }
      listed.set(shard);
    }
    List<Integer> refused = listed.stream().filter(shard -> !served.test(shard)).boxed().toList();
    if (!refused.isEmpty()) {
      throw Status.FAILED_PRECONDITION.withDescription((refused.size() == 1 ? "shard " : "shards ")
          + refused.stream().map(String::valueOf).collect(Collectors.joining(",")) + " " + notServed)
          .asRuntimeException();
    }
    return listed;
  }

  /**
   * One List page over the {@code listed} shards (see {@link #listedShards}), as of {@code snapshot}
   * (null: now); as the leader and the followers serve it.
   */
  public static ListResponse list(KvStore store, StoreSnapshot snapshot, int shards, BitSet listed,
      RequestValidator validator, ListRequest request) {
    validator.bound("prefix", request.getPrefix());
    validator.bound("start_after", request.getStartAfter());
    KeyRange.Page page = KeyRange.list(store, snapshot, shards, listed::get,
        request.getPrefix().getBytes(StandardCharsets.UTF_8),
        request.getStartAfter().getBytes(StandardCharsets.UTF_8),
        validator.pageSize(request.getLimit()), request.getKeysOnly(), MAX_PAGE_BYTES);
    ListResponse.Builder out = ListResponse.newBuilder().setHasMore(page.hasMore());
    for (KeyRange.Pair pair : page.items()) {
      KeyValue.Builder item = KeyValue.newBuilder().setKey(pair.keyString()).setVersion(pair.version());
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
    return Status.NOT_FOUND.withDescription(notFoundMessage(key)).asRuntimeException();
  }

  /** A follower's NOT_FOUND: with the applied seq of the copy it looked in, and whether that copy is stale. */
  public static StatusRuntimeException notFound(String key, long appliedSeq, boolean stale) {
    return ErrorReasons.keyNotFound(notFoundMessage(key), appliedSeq, stale);
  }

  private static String notFoundMessage(String key) {
    return "key not found: " + abbreviate(key);
  }

  /** The key as an error message shows it: its first 200 characters. */
  public static String abbreviate(String key) {
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
