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
  /** The protocol version before the welcome carried limits: its followers read with the defaults. */
  static final int VERSION_WITHOUT_LIMITS = 1;

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
   * Why a leader with {@code limits} refuses a follower that speaks {@code version}, or null. A
   * version 1 follower reads with the default limits: it is accepted while the leader's limits
   * for reads (key size, page sizes) are the defaults, and refused otherwise, since it would
   * refuse to read keys the leader stored.
   */
  public static String versionRefusal(int version, Limits limits) {
    if (version == Frames.PROTOCOL_VERSION) {
      return null;
    }
    Limits defaults = Limits.DEFAULT;
    boolean readsAlike = limits.maxKeyBytes() == defaults.maxKeyBytes()
        && limits.defaultPageSize() == defaults.defaultPageSize() && limits.maxPageSize() == defaults.maxPageSize();
    if (version == VERSION_WITHOUT_LIMITS && readsAlike) {
      return null;
    }
    if (version == VERSION_WITHOUT_LIMITS) {
      return "a protocol version 1 follower reads with the default limits, but this leader runs with --max-key-bytes "
          + limits.maxKeyBytes() + " and --max-page-size " + limits.maxPageSize() + " (defaults " + defaults.maxKeyBytes()
          + " and " + defaults.maxPageSize() + "): upgrade this follower (this leader speaks " + Frames.PROTOCOL_VERSION
          + ")";
    }
    return "protocol version " + Integer.toUnsignedString(version) + " is not supported (this leader speaks "
        + Frames.PROTOCOL_VERSION + " and " + VERSION_WITHOUT_LIMITS + ")";
  }
}
