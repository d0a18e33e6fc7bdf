package io.kvdb.core.follower;

import io.kvdb.core.protocol.Topics;
import io.kvdb.replication.v1.DataMessage;

/**
 * One message off the leader's PUB socket, as received: the topic frame and the body frame (null
 * when the message had no second frame). Nothing in it is trusted yet.
 */
public record DataFrame(byte[] topic, byte[] body) {
  /** The frames the leader publishes for {@code message} on {@code shard}'s topic. */
  public static DataFrame of(int shard, DataMessage message) {
    return new DataFrame(Topics.of(shard), message.toByteArray());
  }
}
