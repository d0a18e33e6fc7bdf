package io.kvdb.core.protocol;

import io.kvdb.replication.v1.SnapshotChunk;

/**
 * How the leader's control channel says "not served to you": a follower it has no hello from in
 * this run, or a shard that is not the follower's. A catch-up is answered with outcome
 * {@code OUTCOME_REFUSED}; a snapshot request with a chunk whose {@code error} starts with
 * {@link #PREFIX}, so that the follower tells a refusal (say hello again) from a failure (retry).
 */
public final class Refusals {
  /** What a refusal's reason starts with, in a catch-up reply's reason and a snapshot chunk's error. */
  public static final String PREFIX = "refused: ";

  private Refusals() {}

  /** The reason or error text of a refusal because of {@code why}. */
  public static String reason(String why) {
    return PREFIX + why;
  }

  /** Whether the chunk is a refusal rather than a failed read or an expired transfer. */
  public static boolean isRefusal(SnapshotChunk chunk) {
    return chunk.getError().startsWith(PREFIX.strip());
  }
}
