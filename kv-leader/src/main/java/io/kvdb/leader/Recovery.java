package io.kvdb.leader;

import java.util.List;

/**
 * How a leader comes back after it was lost: rebuilt at its start from these followers' copies
 * (HOST:PORT each; empty: a normal start), and whether shards that no follower held are accepted
 * empty (writes to them are refused until then).
 */
public record Recovery(List<String> rebuildFromFollowers, boolean allowMissingShards) {
  /** A normal start. */
  public static final Recovery NONE = new Recovery(List.of(), false);

  public Recovery {
    rebuildFromFollowers = List.copyOf(rebuildFromFollowers);
  }

  public boolean rebuild() {
    return !rebuildFromFollowers.isEmpty();
  }
}
