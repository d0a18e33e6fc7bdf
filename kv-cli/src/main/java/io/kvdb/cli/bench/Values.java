package io.kvdb.cli.bench;

import java.util.SplittableRandom;

/**
 * Values for benchmark writes: random, so that LevelDB's compression cannot shrink them away
 * (a run of zero bytes costs the store almost nothing to keep). Over HTTP a value travels as a
 * JSON string, so it is random text of the base64 alphabet instead (6 random bits per byte).
 */
public final class Values {
  private static final byte[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final int size;
  private final boolean text;

  /**
   * @param size bytes per value
   * @param text base64-alphabet text (for JSON over HTTP) rather than any bytes
   */
  public Values(int size, boolean text) {
    this.size = size;
    this.text = text;
  }

  /** A fresh value of {@code size} bytes. */
  byte[] next(SplittableRandom random) {
    byte[] value = new byte[size];
    if (text) {
      for (int i = 0; i < size; i++) {
        value[i] = ALPHABET[random.nextInt(ALPHABET.length)];
      }
    } else {
      for (int i = 0; i < size; i += 8) {
        long bits = random.nextLong();
        for (int b = i; b < Math.min(size, i + 8); b++, bits >>>= 8) {
          value[b] = (byte) bits;
        }
      }
    }
    return value;
  }

  /** Whether values are base64 text (for HTTP) rather than any bytes. */
  boolean text() {
    return text;
  }
}
