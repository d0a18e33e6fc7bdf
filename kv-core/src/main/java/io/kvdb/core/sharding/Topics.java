package io.kvdb.core.sharding;

import java.nio.charset.StandardCharsets;

/**
 * ZeroMQ topics of the replication PUB socket: {@code "shard/"} followed by the shard number as 5
 * zero-padded digits, e.g. {@code shard/00042}. Fixed width, because SUB filters by prefix: with
 * variable width a subscriber of shard 1 would also receive shard 10.
 */
public final class Topics {
  private static final String PREFIX = "shard/";
  private static final int WIDTH = 5;
  public static final int LENGTH = PREFIX.length() + WIDTH;

  private Topics() {}

  public static byte[] of(int shard) {
    return String.format("%s%05d", PREFIX, shard).getBytes(StandardCharsets.US_ASCII);
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
