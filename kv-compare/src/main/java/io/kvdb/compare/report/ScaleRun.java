package io.kvdb.compare.report;

import java.util.Optional;

/**
 * Target 6's run (issue 9): gRPC put and get rates with {@code smallKeys} and with
 * {@code largeKeys} stored (100-byte random values), the medians of {@code rounds} rounds, then a
 * fresh follower's catch-up of every key the leader then holds.
 *
 * @param smallKeys keys of the small store
 * @param largeKeys keys of the large store
 * @param rounds rounds the rates are the medians of
 * @param putSmall puts/s with {@code smallKeys} stored
 * @param getSmall gets/s over {@code smallKeys}
 * @param putLarge puts/s with {@code largeKeys} stored
 * @param getLarge gets/s over {@code largeKeys}
 * @param catchUpKeys keys the leader held when the fresh follower started: {@code largeKeys} and the
 *     new keys the puts added
 * @param catchUpSeconds from the fresh follower's first hello (its first listing in Cluster.Status)
 *     to all its shards live
 * @param failed why the run gave no (or not every) figure, if so
 */
public record ScaleRun(int smallKeys, int largeKeys, int rounds, double putSmall, double getSmall, double putLarge,
    double getLarge, long catchUpKeys, double catchUpSeconds, Optional<String> failed) {
  /** The follower's catch-up rate, keys/s: every stored key, over its catch-up time. */
  public double catchUpKeysPerSecond() {
    return catchUpSeconds > 0 ? catchUpKeys / catchUpSeconds : 0;
  }

  /** A run that stopped, saying why. */
  public static ScaleRun failed(int smallKeys, int largeKeys, String why) {
    return new ScaleRun(smallKeys, largeKeys, 0, 0, 0, 0, 0, 0, 0, Optional.of(why));
  }
}
