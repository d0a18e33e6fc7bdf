package io.kvdb.core.sharding;

/**
 * murmur3_x86_32 written out from Austin Appleby's description, independent of the library the
 * shard function uses, to check that the documented formula is what the code computes.
 */
final class ReferenceMurmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private ReferenceMurmur3() {}

  /** The hash with seed 0, as an unsigned number. */
  static long hash32(byte[] data) {
    int h = 0;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int k = (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8
          | (data[4 * i + 2] & 0xff) << 16 | (data[4 * i + 3] & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = 4 * blocks;
    int remaining = data.length - tail;
    if (remaining > 0) {
      int k = 0;
      for (int i = remaining - 1; i >= 0; i--) {
        k = k << 8 | (data[tail + i] & 0xff);
      }
      h ^= mixK(k);
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Integer.toUnsignedLong(h);
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }
}
