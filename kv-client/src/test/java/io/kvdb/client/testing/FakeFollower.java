package io.kvdb.client.testing;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.common.sharding.KeyShards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A follower's gRPC API as the contract says, served in-process under a name (its "address"):
 * copies of some shards, each at an applied seq, all stale (no live leader). It serves only
 * requests with {@code allow_stale}, honours the List shards filter and pages, and can be told to
 * fail every List call after some number of pages. It counts the List calls it got and records
 * the shards each asked for.
 */
public final class FakeFollower implements AutoCloseable {
  /** Key order: unsigned UTF-8 bytes, as kvdb lists keys. */
  public static final java.util.Comparator<String> KEY_ORDER = (a, b) -> ByteString.unsignedLexicographicalComparator()
      .compare(ByteString.copyFromUtf8(a), ByteString.copyFromUtf8(b));

  /** Its address: the in-process name, or 127.0.0.1:PORT. */
  public final String address;
  private final int shardCount;
  /** Readable shard to its applied seq. */
  private final Map<Integer, Long> seqs = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final java.util.NavigableMap<String, ByteString> data =
      java.util.Collections.synchronizedNavigableMap(new TreeMap<>(KEY_ORDER));
  private final Server server;
  /** List calls received. */
  public final AtomicInteger listCalls = new AtomicInteger();
  /** The shards filter of each List call received, in order (synchronized on the list). */
  public final List<List<Integer>> listedShards = new ArrayList<>();
  private volatile int failListAfterPages = Integer.MAX_VALUE;

  private FakeFollower(ServerBuilder<?> builder, String name, int shardCount) {
    this.shardCount = shardCount;
    try {
      this.server = builder.addService(new Service()).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.address = name != null ? name : "127.0.0.1:" + server.getPort();
  }

  /** A follower served in-process under {@code name}. */
  public static FakeFollower inProcess(String name, int shardCount) {
    return new FakeFollower(InProcessServerBuilder.forName(name).directExecutor(), name, shardCount);
  }

  /** A follower on a free TCP port of 127.0.0.1. */
  public static FakeFollower onTcp(int shardCount) {
    return new FakeFollower(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()), null, shardCount);
  }

  /** Holds {@code shard} at {@code seq}, readable. */
  public FakeFollower holds(int shard, long seq) {
    seqs.put(shard, seq);
    return this;
  }

  /** Stores {@code key}; its shard must be held. */
  public FakeFollower put(String key, String value) {
    data.put(key, ByteString.copyFromUtf8(value));
    return this;
  }

  /** Every List call after the first {@code pages} fails with UNAVAILABLE. */
  public void failListAfterPages(int pages) {
    failListAfterPages = pages;
  }

  private int shardOf(String key) {
    return KeyShards.shardOf(key, shardCount);
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Service extends FollowerGrpc.FollowerImplBase {
    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> response) {
      int shard = shardOf(request.getKey());
      Long seq = seqs.get(shard);
      if (!request.getAllowStale() || seq == null) {
        response.onError(Status.FAILED_PRECONDITION.withDescription("shard " + shard + " is not served here")
            .asRuntimeException());
        return;
      }
      ByteString value = data.get(request.getKey());
      if (value == null) {
        response.onError(ErrorReasons.keyNotFound("key not found: " + request.getKey(), seq, true));
        return;
      }
      response.onNext(GetResponse.newBuilder().setValue(value).setShard(shard).setAppliedSeq(seq).setStale(true)
          .build());
      response.onCompleted();
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
      int call = listCalls.incrementAndGet();
      synchronized (listedShards) {
        listedShards.add(List.copyOf(request.getShardsList()));
      }
      if (call > failListAfterPages) {
        response.onError(Status.UNAVAILABLE.withDescription("the follower went away").asRuntimeException());
        return;
      }
      if (!request.getAllowStale()) {
        response.onError(Status.FAILED_PRECONDITION.withDescription("no shard in sync").asRuntimeException());
        return;
      }
      int limit = request.getLimit() == 0 ? 100 : request.getLimit();
      ListResponse.Builder page = ListResponse.newBuilder().setStale(true);
      synchronized (data) {
        var tail = request.getStartAfter().isEmpty() ? data : data.tailMap(request.getStartAfter(), false);
        for (Map.Entry<String, ByteString> entry : tail.entrySet()) {
          int shard = shardOf(entry.getKey());
          if (!entry.getKey().startsWith(request.getPrefix()) || !seqs.containsKey(shard)
              || (!request.getShardsList().isEmpty() && !request.getShardsList().contains(shard))) {
            continue;
          }
          if (page.getItemsCount() == limit) {
            page.setHasMore(true).setNextStartAfter(page.getItems(limit - 1).getKey());
            break;
          }
          page.addItems(KeyValue.newBuilder().setKey(entry.getKey()).setValue(entry.getValue()));
        }
      }
      response.onNext(page.build());
      response.onCompleted();
    }

    @Override
    public void status(FollowerStatusRequest request, StreamObserver<FollowerStatusResponse> response) {
      FollowerStatusResponse.Builder status = FollowerStatusResponse.newBuilder().setId(address)
          .setState("refused").setShardCount(shardCount);
      seqs.forEach((shard, seq) -> status.addReadableShards(ShardSeq.newBuilder().setShard(shard).setSeq(seq)));
      response.onNext(status.build());
      response.onCompleted();
    }
  }

  /** Keys whose shard (of {@code shardCount}) is {@code shard}, named {@code prefix + n}. */
  public static List<String> keysOfShard(int shard, int shardCount, String prefix, int count) {
    List<String> keys = new ArrayList<>();
    for (int n = 0; keys.size() < count; n++) {
      if (KeyShards.shardOf(prefix + n, shardCount) == shard) {
        keys.add(prefix + n);
      }
    }
    return keys;
  }

}
