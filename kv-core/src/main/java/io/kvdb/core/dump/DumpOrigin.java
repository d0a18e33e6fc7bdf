package io.kvdb.core.dump;

/**
 * Who a dump is taken from, as its header says: the cluster's leader id and shard count, and the
 * highest leader epoch the source had seen.
 */
public record DumpOrigin(String leaderId, int shardCount, long epoch) {
  public DumpOrigin {
    if (leaderId == null || leaderId.isEmpty()) {
      throw new IllegalArgumentException("a dump needs the cluster's leader id");
    }
    if (shardCount < 1) {
      throw new IllegalArgumentException("a dump needs the cluster's shard count: " + shardCount);
    }
  }
}
