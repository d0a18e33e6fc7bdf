package io.kvdb.core.leader;

/**
 * The outcome of one write: the key's shard, and the seq and epoch it was committed at. A delete
 * of a missing key is not committed: {@code found} is false and seq is 0.
 */
public record Committed(int shard, long seq, long epoch, boolean found) {
  static Committed notFound(int shard) {
    return new Committed(shard, 0, 0, false);
  }
}
