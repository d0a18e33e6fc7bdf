package io.kvdb.client;

/**
 * A read from followers that no follower could answer: no reachable follower holds a complete copy
 * of the key's shard (all its holders are down, or each is installing, wiped or behind a gap).
 * {@link #shard()} names the shard, so an operator knows which copies to bring back.
 */
public final class ShardUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int shard;

  public ShardUnavailableException(int shard, String message) {
    super(message, null, false, false);
    this.shard = shard;
  }

  /** The shard no follower could serve. */
  public int shard() {
    return shard;
  }
}
