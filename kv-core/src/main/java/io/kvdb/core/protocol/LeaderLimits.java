package io.kvdb.core.protocol;

import io.kvdb.core.config.Limits;
import io.kvdb.replication.v1.ServingLimits;
import io.kvdb.replication.v1.Welcome;

/**
 * The leader's limits as its welcome carries them to followers (protocol version 2), so that a
 * follower reads with the limits its leader wrote with: a leader started with a larger
 * {@code --max-key-bytes} stores keys that a follower on the defaults would refuse to read.
 */
public final class LeaderLimits {
  private LeaderLimits() {}

  public static ServingLimits toWire(Limits limits) {
    return ServingLimits.newBuilder().setMaxKeyBytes(limits.maxKeyBytes()).setMaxValueBytes(limits.maxValueBytes())
        .setMaxMessageBytes(limits.maxMessageBytes()).setDefaultPageSize(limits.defaultPageSize())
        .setMaxPageSize(limits.maxPageSize()).build();
  }

  /**
   * The limits to serve with after {@code welcome}: the leader's, or the defaults from a leader that
   * sends none.
   *
   * @throws IllegalArgumentException when the welcome's limits are not valid limits
   */
  public static Limits fromWelcome(Welcome welcome) {
    if (!welcome.hasLimits()) {
      return Limits.DEFAULT;
    }
    ServingLimits wire = welcome.getLimits();
    // uint32 on the wire: a value above 2^31 - 1 arrives negative, and Limits refuses it.
    return new Limits(wire.getMaxKeyBytes(), wire.getMaxValueBytes(), wire.getMaxMessageBytes(),
        wire.getDefaultPageSize(), wire.getMaxPageSize());
  }

  /**
   * Why a leader refuses a follower that speaks {@code version}, or null. Only its own version is
   * served: since version 4 events and snapshots carry versions, which older followers would drop
   * (and their digests would disagree); since version 3 events come in batches, which followers of
   * versions 1 and 2 cannot read.
   */
  public static String versionRefusal(int version) {
    if (version == Frames.PROTOCOL_VERSION) {
      return null;
    }
    return "protocol version " + Integer.toUnsignedString(version) + " is not supported: this leader speaks "
        + Frames.PROTOCOL_VERSION + " only (events carry versions since version 4): upgrade this follower";
  }
}
