package io.kvdb.leader;

import io.kvdb.client.ClientFlags;
import java.util.List;
import java.util.Objects;

/**
 * How a leader comes back after it was lost: rebuilt at its start from these followers' copies
 * (HOST:PORT each; empty: a normal start), dialled as {@code followerAccess} says (TLS trust and
 * bearer token, for followers served with {@code --tls-cert} or {@code --token-file}), and whether
 * shards that no follower held are accepted empty (writes to them are refused until then).
 */
public record Recovery(List<String> rebuildFromFollowers, boolean allowMissingShards, ClientFlags followerAccess) {
  /** A normal start. */
  public static final Recovery NONE = new Recovery(List.of(), false);

  public Recovery {
    rebuildFromFollowers = List.copyOf(rebuildFromFollowers);
    Objects.requireNonNull(followerAccess, "followerAccess (ClientFlags.NONE for plaintext, no token)");
  }

  /** Followers dialled in plaintext, without a token. */
  public Recovery(List<String> rebuildFromFollowers, boolean allowMissingShards) {
    this(rebuildFromFollowers, allowMissingShards, ClientFlags.NONE);
  }

  public boolean rebuild() {
    return !rebuildFromFollowers.isEmpty();
  }
}
