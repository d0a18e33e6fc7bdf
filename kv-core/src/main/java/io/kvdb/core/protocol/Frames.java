package io.kvdb.core.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.replication.v1.ControlMessage;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.EventBatch;
import java.util.List;
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
   * Protocol version in Hello. 4: events and snapshot entries carry revisions (versions) and expiry
   * times, and digests cover them. 3: a shard's events of one commit come as one {@link EventBatch}.
   * 2: the welcome carries the leader's limits ({@link LeaderLimits}). A leader accepts followers of
   * its own version only: older ones cannot read a batch ({@link LeaderLimits#versionRefusal}).
   */
  public static final int PROTOCOL_VERSION = 4;
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

  /**
   * The events of {@code batch}, which came on {@code shard}'s topic, or null (logged) when it is
   * malformed: empty, or holding an event of another shard. Seqs are not checked here: a gap or a
   * duplicate is the replica's to find, as for events that came one by one.
   */
  public static List<Event> eventBatch(EventBatch batch, int shard, String from) {
    if (batch.getEventsCount() == 0) {
      malformed(from, "an empty event batch on shard " + shard + "'s topic");
      return null;
    }
    for (Event event : batch.getEventsList()) {
      if (event.getShard() != shard) {
        malformed(from, "an event batch on shard " + shard + "'s topic holding an event of shard " + event.getShard());
        return null;
      }
    }
    return batch.getEventsList();
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
