package io.kvdb.core.follower;

/**
 * What a follower's {@link ReplicaStore} reports of the events it applies, for metrics. Called on
 * the replication thread: an implementation must be quick and must not block.
 */
@FunctionalInterface
public interface ReplicaMetrics {
  /** Reports nothing. */
  ReplicaMetrics NONE = (events, nanos) -> {};

  /**
   * A batch of events was applied.
   *
   * @param events the events written (duplicates, and events past a gap or a divergence, are not)
   * @param nanos how long the batch took, from the first read to the LevelDB write
   */
  void applied(int events, long nanos);
}
