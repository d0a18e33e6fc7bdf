package io.kvdb.client;

import io.kvdb.api.v1.KeyValue;
import java.util.List;
import java.util.Optional;

/**
 * One page of a {@link StaleListing}: pairs in key order, whether more may follow, and why the
 * listing stopped short when a follower failed.
 *
 * @param items the pairs, in key order
 * @param hasMore whether a next page may hold more pairs (false once the listing ended)
 * @param failure the follower that failed while the page was read; the listing ends with it,
 *     and the pairs of this page came before it
 */
public record StalePage(List<KeyValue> items, boolean hasMore, Optional<Failure> failure) {
  public StalePage {
    items = List.copyOf(items);
  }

  /**
   * A chosen follower that failed in the middle of a listing.
   *
   * @param follower its address
   * @param shards the shards it was chosen for, in order
   * @param message why, as the call failed
   */
  public record Failure(String follower, List<Integer> shards, String message) {
    public Failure {
      shards = List.copyOf(shards);
    }
  }
}
