package io.kvdb.client;

import static com.google.common.base.Preconditions.checkArgument;

import io.grpc.Status;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A listing merged from the followers that a {@link StaleReader} chose, one per shard, before the
 * first pair. Each chosen follower lists only its chosen shards, in key order; this class merges
 * those listings in key order (unsigned UTF-8 bytes), fetching a follower's next page only when
 * the merge has used up the last one, so memory holds one page per follower. Shards are disjoint
 * between followers, so no key comes twice.
 *
 * <p>Read it one page at a time with {@link #nextPage} (the next call after the previous page's
 * future completed): it is a cursor, not thread-safe.
 */
public final class StaleListing {
  private final List<Source> sources;
  private final List<Integer> missingShards;
  private final Map<Integer, Long> appliedSeqs;
  private boolean ended;

  StaleListing(List<Source> sources, List<Integer> missingShards, Map<Integer, Long> appliedSeqs) {
    this.sources = List.copyOf(sources);
    this.missingShards = List.copyOf(missingShards);
    this.appliedSeqs = Map.copyOf(appliedSeqs);
  }

  /** The shards that no reachable follower could serve: their keys are not in this listing. In order. */
  public List<Integer> missingShards() {
    return missingShards;
  }

  /** For each shard listed, the applied seq of the copy chosen for it, as its follower's Status said. */
  public Map<Integer, Long> appliedSeqs() {
    return appliedSeqs;
  }

  /**
   * The next at most {@code max} pairs in key order. After a page with {@code hasMore} false (the
   * end, or a {@link StalePage#failure() failure}) every further page is empty.
   */
  public CompletableFuture<StalePage> nextPage(int max) {
    checkArgument(max > 0, "a page holds at least one pair: %s", max);
    CompletableFuture<StalePage> result = new CompletableFuture<>();
    if (ended) {
      result.complete(new StalePage(List.of(), false, Optional.empty()));
    } else {
      merge(new ArrayList<>(), max, result);
    }
    return result;
  }

  /**
   * Takes the smallest head among the followers' buffers until the page is full; a follower whose
   * buffer ran dry while it has more is refilled first, since its next key may be the smallest.
   */
  private void merge(List<KeyValue> items, int max, CompletableFuture<StalePage> result) {
    while (true) {
      if (items.size() >= max) {
        result.complete(new StalePage(items, sources.stream().anyMatch(Source::hasMore), Optional.empty()));
        return;
      }
      List<Source> dry = sources.stream().filter(Source::needsPage).toList();
      if (!dry.isEmpty()) {
        List<CompletableFuture<Optional<StalePage.Failure>>> fetches = dry.stream().map(Source::fetch).toList();
        CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new)).whenComplete((unused, error) -> {
          Optional<StalePage.Failure> failure = fetches.stream().map(CompletableFuture::join)
              .flatMap(Optional::stream).findFirst();
          if (failure.isPresent()) {
            ended = true;
            result.complete(new StalePage(items, false, failure));
          } else {
            merge(items, max, result);
          }
        });
        return;
      }
      Source smallest = null;
      for (Source source : sources) {
        if (!source.buffer.isEmpty() && (smallest == null
            || KeyOrder.compare(source.buffer.peek().getKey(), smallest.buffer.peek().getKey()) < 0)) {
          smallest = source;
        }
      }
      if (smallest == null) {
        ended = true;
        result.complete(new StalePage(items, false, Optional.empty()));
        return;
      }
      items.add(smallest.buffer.poll());
    }
  }

  /** One chosen follower: its shards, the request of its next page, and the pairs fetched but not yet merged. */
  static final class Source {
    private final String follower;
    private final List<Integer> shards;
    private final Function<ListRequest, CompletableFuture<ListResponse>> fetch;
    private final ArrayDeque<KeyValue> buffer = new ArrayDeque<>();
    /** The request of the next page; null once the last was fetched. */
    private ListRequest next;

    Source(String follower, List<Integer> shards, ListRequest first,
        Function<ListRequest, CompletableFuture<ListResponse>> fetch) {
      this.follower = follower;
      this.shards = List.copyOf(shards);
      this.next = first;
      this.fetch = fetch;
    }

    boolean hasMore() {
      return !buffer.isEmpty() || next != null;
    }

    boolean needsPage() {
      return buffer.isEmpty() && next != null;
    }

    /** Fetches the next page into the buffer; completes with the failure, if the call failed. */
    CompletableFuture<Optional<StalePage.Failure>> fetch() {
      ListRequest request = next;
      return fetch.apply(request).handle((response, error) -> {
        if (error != null) {
          return Optional.of(failure(KvException.of(unwrap(error), 1).getMessage()));
        }
        String after = response.getNextStartAfter();
        if (response.getHasMore() && (response.getItemsCount() == 0 || after.isEmpty()
            || after.equals(request.getStartAfter()))) {
          return Optional.of(failure(Status.Code.INTERNAL + ": the follower's List page has more keys but does not"
              + " say where they start (next_start_after '" + after + "')"));
        }
        buffer.addAll(response.getItemsList());
        next = response.getHasMore() ? request.toBuilder().setStartAfter(after).build() : null;
        return Optional.<StalePage.Failure>empty();
      });
    }

    private StalePage.Failure failure(String message) {
      next = null;
      return new StalePage.Failure(follower, shards, message);
    }

    private static Throwable unwrap(Throwable error) {
      return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
    }
  }
}
