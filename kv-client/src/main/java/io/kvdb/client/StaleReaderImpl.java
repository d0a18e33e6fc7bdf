package io.kvdb.client;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.kvdb.api.v1.FollowerGrpc;
import io.kvdb.api.v1.FollowerStatusRequest;
import io.kvdb.api.v1.FollowerStatusResponse;
import io.kvdb.api.v1.GetRequest;
import io.kvdb.api.v1.GetResponse;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ShardSeq;
import io.kvdb.client.Calls.Kind;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.common.sharding.KeyShards;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** {@link StaleReader} over the followers' Follower service. */
final class StaleReaderImpl implements StaleReader {
  /** The page size asked of each follower when the request gives none (the leader's default cap). */
  static final int DEFAULT_PAGE = 1000;

  /** What every view of one reader shares: the channels by address and the map in use. */
  private static final class Shared {
    final Function<String, Channel> dial;
    final boolean owns;
    final Map<String, Channel> channels = new ConcurrentHashMap<>();
    final AtomicReference<FollowerMap> map = new AtomicReference<>();

    Shared(Function<String, Channel> dial, boolean owns) {
      this.dial = dial;
      this.owns = owns;
    }
  }

  private final Shared shared;
  private final KvOptions options;
  private final boolean root;

  private StaleReaderImpl(Shared shared, KvOptions options, boolean root) {
    this.shared = shared;
    this.options = options;
    this.root = root;
  }

  static StaleReader dialling(Function<String, Channel> dial, boolean owns, KvOptions options) {
    return new StaleReaderImpl(new Shared(dial, owns), options, true);
  }

  @Override
  public KvOptions options() {
    return options;
  }

  @Override
  public StaleReader withOptions(KvOptions newOptions) {
    return new StaleReaderImpl(shared, newOptions, false);
  }

  @Override
  public void use(FollowerMap map) {
    shared.map.set(map);
  }

  @Override
  public Optional<FollowerMap> followers() {
    return Optional.ofNullable(shared.map.get());
  }

  /** The calls to the follower at {@code address}; a bad address fails when used, as an unreachable one. */
  private Calls calls(String address) {
    return new Calls(shared.channels.computeIfAbsent(address, shared.dial), null, options);
  }

  private <R> CompletableFuture<R> call(String address, Function<Calls, CompletableFuture<R>> call) {
    try {
      return call.apply(calls(address));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(KvException.of(Status.INVALID_ARGUMENT
          .withDescription("follower address " + address + ": " + e.getMessage()).asRuntimeException(), 1));
    }
  }

  private CompletableFuture<FollowerStatusResponse> status(String address) {
    return call(address, calls -> calls.async(FollowerGrpc.getStatusMethod(),
        FollowerStatusRequest.getDefaultInstance(), Kind.READ));
  }

  /** Each address's Status, or its failure's message; in the order of {@code addresses}. */
  private CompletableFuture<Map<String, Object>> statuses(Collection<String> addresses) {
    Map<String, CompletableFuture<Object>> asked = new LinkedHashMap<>();
    for (String address : addresses) {
      asked.put(address, status(address).handle((reply, error) -> error == null ? reply : message(error)));
    }
    return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(unused -> {
      Map<String, Object> answers = new LinkedHashMap<>();
      asked.forEach((address, answer) -> answers.put(address, answer.join()));
      return answers;
    });
  }

  @Override
  public CompletableFuture<FollowerMap> discoverAsync(Collection<String> addresses) {
    return statuses(addresses).thenApply(answers -> {
      Map<String, FollowerStatusResponse> answered = new LinkedHashMap<>();
      List<String> failures = new ArrayList<>();
      answers.forEach((address, answer) -> {
        if (answer instanceof FollowerStatusResponse status) {
          answered.put(address, status);
        } else {
          failures.add(address + ": " + answer);
        }
      });
      if (answered.isEmpty()) {
        throw new KvException(Status.UNAVAILABLE.withDescription("no follower answered its Status ("
            + String.join("; ", failures) + ")"), Optional.empty(), 1, null);
      }
      FollowerMap learned = FollowerMap.fromFollowers(answered);
      FollowerMap current = shared.map.get();
      FollowerMap map = current != null && current.shardCount() == learned.shardCount()
          ? current.with(learned) : learned;
      shared.map.set(map);
      return map;
    });
  }

  private FollowerMap requireMap() {
    FollowerMap map = shared.map.get();
    if (map == null) {
      throw new IllegalStateException("no followers known: use a leader's status or discover the followers first");
    }
    return map;
  }

  /** One holder's answer to a get: a copy's reply (found or not), or why it gave none. */
  private record Answer(String follower, StaleValue value, String error) {}

  @Override
  public CompletableFuture<StaleValue> getAsync(String key) {
    FollowerMap map;
    try {
      map = requireMap();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    int shard = KeyShards.shardOf(key, map.shardCount());
    List<String> holders = map.holdersOf(shard);
    if (holders.isEmpty()) {
      return CompletableFuture.failedFuture(new ShardUnavailableException(shard,
          "no follower is known to hold shard " + shard + " (of key '" + key + "')"));
    }
    GetRequest request = GetRequest.newBuilder().setKey(key).setAllowStale(true).build();
    List<CompletableFuture<Answer>> answers = holders.stream().map(holder -> this.<GetResponse>call(holder,
        calls -> calls.async(FollowerGrpc.getGetMethod(), request, Kind.READ))
        .handle((reply, error) -> answer(holder, key, shard, reply, error))).toList();
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(unused -> {
      StaleValue best = null;
      List<String> failures = new ArrayList<>();
      for (CompletableFuture<Answer> future : answers) {
        Answer answer = future.join();
        if (answer.value() == null) {
          failures.add(answer.follower() + ": " + answer.error());
        } else if (best == null || answer.value().appliedSeq() > best.appliedSeq()) {
          best = answer.value();
        }
      }
      if (best == null) {
        throw new ShardUnavailableException(shard, "no follower could serve shard " + shard + " (of key '" + key
            + "'): " + String.join("; ", failures));
      }
      return best;
    });
  }

  private static Answer answer(String holder, String key, int shard, GetResponse reply, Throwable error) {
    if (error == null) {
      return new Answer(holder, new StaleValue(key, Optional.of(reply.getValue()), shard, reply.getAppliedSeq(),
          reply.getStale(), holder, reply.getVersion()), null);
    }
    Throwable cause = unwrap(error);
    if (Status.fromThrowable(cause).getCode() == Status.Code.NOT_FOUND) {
      // The copy that was read says the key is absent: an answer, with that copy's seq.
      long seq = ErrorReasons.metadataOf(cause, ErrorReasons.APPLIED_SEQ).map(Long::parseLong).orElse(0L);
      boolean stale = ErrorReasons.metadataOf(cause, ErrorReasons.STALE).map(Boolean::parseBoolean).orElse(true);
      return new Answer(holder, new StaleValue(key, Optional.empty(), shard, seq, stale, holder, 0), null);
    }
    return new Answer(holder, null, message(cause));
  }

  @Override
  public StaleValue get(String key) {
    return join(getAsync(key));
  }

  @Override
  public CompletableFuture<StaleListing> listAsync(ListRequest request) {
    FollowerMap map;
    try {
      map = requireMap();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    return statuses(map.addresses()).thenApply(answers -> choose(map, answers, request));
  }

  /**
   * For each shard, the follower whose readable copy has the highest applied seq (the first
   * listed on a tie), then one source per chosen follower with its shards.
   */
  private StaleListing choose(FollowerMap map, Map<String, Object> answers, ListRequest request) {
    Map<Integer, String> holder = new TreeMap<>();
    Map<Integer, Long> seqs = new TreeMap<>();
    answers.forEach((address, answer) -> {
      if (!(answer instanceof FollowerStatusResponse status)
          || (status.getShardCount() != 0 && status.getShardCount() != map.shardCount())) {
        return; // unreachable, or of another cluster shape: not a copy of these shards
      }
      for (ShardSeq readable : status.getReadableShardsList()) {
        Long best = seqs.get(readable.getShard());
        if (readable.getShard() < map.shardCount() && (best == null || readable.getSeq() > best)) {
          seqs.put(readable.getShard(), readable.getSeq());
          holder.put(readable.getShard(), address);
        }
      }
    });
    List<Integer> missing = new ArrayList<>();
    for (int shard = 0; shard < map.shardCount(); shard++) {
      if (!holder.containsKey(shard)) {
        missing.add(shard);
      }
    }
    Map<String, List<Integer>> shardsOf = new LinkedHashMap<>();
    holder.forEach((shard, address) -> shardsOf.computeIfAbsent(address, a -> new ArrayList<>()).add(shard));
    int page = request.getLimit() > 0 ? request.getLimit() : DEFAULT_PAGE;
    List<StaleListing.Source> sources = new ArrayList<>();
    shardsOf.forEach((address, shards) -> sources.add(new StaleListing.Source(address, shards,
        request.toBuilder().clearShards().addAllShards(shards).setAllowStale(true).setLimit(page).build(),
        next -> call(address, calls -> calls.async(FollowerGrpc.getListMethod(), next, Kind.READ)))));
    return new StaleListing(sources, missing, seqs);
  }

  @Override
  public StaleListing list(ListRequest request) {
    return join(listAsync(request));
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e.getCause());
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw KvException.of(cause, 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KvException.of(Status.CANCELLED.withDescription("interrupted while reading from followers")
          .withCause(e).asRuntimeException(), 1);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static String message(Throwable error) {
    return KvException.of(unwrap(error), 1).getMessage();
  }

  @Override
  public void close() {
    if (root && shared.owns) {
      shared.channels.values().forEach(channel -> Channels.close((ManagedChannel) channel));
    }
  }
}
