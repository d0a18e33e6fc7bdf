package io.kvdb.core.protocol;

import io.kvdb.core.sharding.ShardFunction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * ZeroMQ topics of the replication PUB socket: {@code "shard/"} followed by the shard number as 5
 * zero-padded digits, e.g. {@code shard/00042}. Fixed width, because SUB filters by prefix: with
 * variable width a subscriber of shard 1 would also receive shard 10.
 */
public final class Topics {
  private static final String PREFIX = "shard/";
  private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
  private static final int WIDTH = 5;
  public static final int LENGTH = PREFIX.length() + WIDTH;

  private Topics() {}

  /** Written digit by digit: the publisher calls this for every event (String.format showed in profiles). */
  public static byte[] of(int shard) {
    if (shard < 0 || shard >= 100_000) {
      throw new IllegalArgumentException("a topic holds shards 0..99999, not " + shard);
    }
    byte[] topic = Arrays.copyOf(PREFIX_BYTES, LENGTH);
    for (int i = LENGTH - 1, rest = shard; i >= PREFIX_BYTES.length; i--, rest /= 10) {
      topic[i] = (byte) ('0' + rest % 10);
    }
    return topic;
  }

  /** The shard of a topic frame, or -1 when the frame is not a well-formed topic. */
  public static int parse(byte[] topic) {
    if (topic == null || topic.length != LENGTH) {
      return -1;
    }
    String text = new String(topic, StandardCharsets.US_ASCII);
    if (!text.startsWith(PREFIX)) {
      return -1;
    }
    int shard = 0;
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      shard = shard * 10 + (c - '0');
    }
    return shard;
  }
}
