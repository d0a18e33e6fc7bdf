package io.kvdb.core.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoding of replication frames that came off the network. A malformed frame is logged (at most
 * once a second, so garbage cannot flood the log) and dropped; the caller carries on.
 */
public final class Frames {
  private static final Logger log = LoggerFactory.getLogger(Frames.class);
  /**
   * Protocol version in Hello. 2: the welcome carries the leader's limits ({@link LeaderLimits}).
   * A leader accepts followers of version 1 only while its limits are the ones they read with.
   */
  public static final int PROTOCOL_VERSION = 2;
  /** Follower ids: also the ZeroMQ routing id of the follower's control socket. */
  private static final Pattern FOLLOWER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private static long lastLogMs;
  private static long dropped;

  private Frames() {}

  /** The control message in {@code frame}, or null (logged) when it is not one. */
  public static ControlMessage control(byte[] frame, String from) {
    try {
      ControlMessage message = ControlMessage.parseFrom(frame);
      if (message.getBodyCase() == ControlMessage.BodyCase.BODY_NOT_SET) {
        malformed(from, "a control message with no known body");
        return null;
      }
      return message;
    } catch (InvalidProtocolBufferException e) {
      malformed(from, "an unreadable control frame (" + e.getMessage() + ")");
      return null;
    }
  }

  /** The data message in {@code frame}, or null (logged) when it is not one. */
  public static DataMessage data(byte[] frame, String from) {
    try {
      DataMessage message = DataMessage.parseFrom(frame);
      if (message.getBodyCase() == DataMessage.BodyCase.BODY_NOT_SET) {
        malformed(from, "a data message with no known body");
        return null;
      }
      return message;
    } catch (InvalidProtocolBufferException e) {
      malformed(from, "an unreadable data frame (" + e.getMessage() + ")");
      return null;
    }
  }

  public static boolean isValidFollowerId(String id) {
    return FOLLOWER_ID.matcher(id).matches();
  }

  /** Logs a bad frame, rate-limited. */
  public static synchronized void malformed(String from, String what) {
    dropped++;
    long now = System.nanoTime() / 1_000_000;
    if (now - lastLogMs >= 1000) {
      lastLogMs = now;
      log.warn("dropped {} from {} ({} bad frames dropped so far)", what, from, dropped);
    }
  }

  public static synchronized long droppedFrames() {
    return dropped;
  }
}
