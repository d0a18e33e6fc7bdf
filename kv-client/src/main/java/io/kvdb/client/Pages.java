package io.kvdb.client;

import io.grpc.Status;
import io.kvdb.api.v1.KeyValue;
import io.kvdb.api.v1.ListRequest;
import io.kvdb.api.v1.ListResponse;
import java.util.Collections;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The pairs of a listing, one page fetched at a time as they are consumed: a million keys never
 * sit in memory together. Each page is its own read (with its own deadline and retries); the
 * listing is not a snapshot, so keys written meanwhile may or may not appear.
 */
final class Pages implements Iterator<KeyValue> {
  private final Function<ListRequest, ListResponse> fetch;
  /** The request of the next page; null once the last page was fetched. */
  private ListRequest next;
  private Iterator<KeyValue> page = Collections.emptyIterator();

  private Pages(Function<ListRequest, ListResponse> fetch, ListRequest first) {
    this.fetch = fetch;
    this.next = first;
  }

  /** Every pair that {@code first} and the pages after it hold, in key order. */
  static Stream<KeyValue> stream(Function<ListRequest, ListResponse> fetch, ListRequest first) {
    Pages pages = new Pages(fetch, first);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
  }

  @Override
  public boolean hasNext() {
    while (!page.hasNext() && next != null) {
      ListResponse response = fetch.apply(next);
      page = response.getItemsList().iterator();
      next = response.getHasMore() ? following(next, response) : null;
    }
    return page.hasNext();
  }

  @Override
  public KeyValue next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }

  /** The request of the page after {@code response}; a page that does not advance would loop forever. */
  private static ListRequest following(ListRequest request, ListResponse response) {
    String after = response.getNextStartAfter();
    if (response.getItemsCount() == 0 || after.isEmpty() || after.equals(request.getStartAfter())) {
      throw new KvException(Status.INTERNAL.withDescription("the server's List page has more keys but does not say"
          + " where they start (next_start_after '" + after + "')"), Optional.empty(), 1, null);
    }
    return request.toBuilder().setStartAfter(after).build();
  }
}
