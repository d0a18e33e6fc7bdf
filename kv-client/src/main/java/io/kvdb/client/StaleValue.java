package io.kvdb.client;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a read from followers ({@link StaleReader#get}): the value or its absence, and
 * which copy said so.
 *
 * @param key the key read
 * @param value the value; empty when the copy read has no such key
 * @param shard the key's shard
 * @param appliedSeq the applied seq of the copy read, from the same read as the value: writes of
 *     the shard after this seq are not in the answer
 * @param stale true when that copy was not in sync with a live leader (newer writes may exist)
 * @param follower the address of the follower that answered
 * @param version the key's version in the copy read (the revision of its last write); 0 when not found
 */
public record StaleValue(String key, Optional<ByteString> value, int shard, long appliedSeq, boolean stale,
    String follower, long version) {
  public StaleValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value (Optional.empty() when not found)");
    Objects.requireNonNull(follower, "follower");
  }

  /** Whether the copy read holds the key. */
  public boolean found() {
    return value.isPresent();
  }
}
