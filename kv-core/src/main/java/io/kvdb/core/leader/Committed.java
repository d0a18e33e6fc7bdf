package io.kvdb.core.leader;

/**
 * The outcome of one write: the key's shard, and the seq, epoch and revision ({@code version}) it
 * was committed at. A delete of a missing key is not committed: {@code found} is false and seq is 0.
 * A write whose expected version did not match is not committed either: {@code conflict} is true,
 * {@code version} is the key's version now (0 when it does not exist) and {@code found} whether it exists.
 */
public record Committed(int shard, long seq, long epoch, long version, boolean found, boolean conflict) {
  static Committed written(int shard, long seq, long epoch, long version) {
    return new Committed(shard, seq, epoch, version, true, false);
  }

  static Committed notFound(int shard) {
    return new Committed(shard, 0, 0, 0, false, false);
  }

  static Committed conflict(int shard, long currentVersion) {
    return new Committed(shard, 0, 0, currentVersion, currentVersion != 0, true);
  }
}
