package io.kvdb.system;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Seeded adversarial inputs for the KV API: keys and values at and past their limits, empty ones,
 * NULs, control characters, noncharacters, direction overrides, combining marks, astral characters
 * and lone surrogates, plus a small pool of plain keys so that updates and deletes hit stored keys.
 */
final class FuzzInputs {
  /** Code points that often break parsers, terminals, sorting or UTF-8 handling. */
  private static final int[] ODD = {
    0x0000, 0x0001, 0x0009, 0x000A, 0x000D, 0x001B, 0x007F, 0x0080, 0x00A0, 0x00FF, 0x0301, 0x200B,
    0x202E, 0x2028, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x1F600, 0x10FFFF, '/', '%', '\\', '"', '*', '?'
  };

  private final Random random;
  private final int maxKeyBytes;
  private final int maxValueBytes;

  FuzzInputs(Random random, int maxKeyBytes, int maxValueBytes) {
    this.random = random;
    this.maxKeyBytes = maxKeyBytes;
    this.maxValueBytes = maxValueBytes;
  }

  /** Any key, valid or not: about a third are from a small pool, so they exist when read or deleted. */
  String key() {
    return switch (random.nextInt(12)) {
      case 0, 1, 2, 3 -> "k" + random.nextInt(64);
      case 4 -> "";
      case 5 -> exactBytes(maxKeyBytes);
      case 6 -> exactBytes(maxKeyBytes + 1 + random.nextInt(3));
      case 7 -> exactBytes(maxKeyBytes * (2 + random.nextInt(50)));
      case 8 -> "\uD800" + random.nextInt(10); // a lone surrogate: the client encodes it as '?'
      default -> odd(1 + random.nextInt(12));
    };
  }

  /** A key that passes validation: non-empty, at most the limit. */
  String validKey() {
    String key;
    do {
      key = key();
    } while (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > maxKeyBytes);
    return key;
  }

  /** A key the leader must refuse: empty or past the limit. */
  String invalidKey() {
    return switch (random.nextInt(3)) {
      case 0 -> "";
      case 1 -> exactBytes(maxKeyBytes + 1 + random.nextInt(4));
      default -> exactBytes(maxKeyBytes * (2 + random.nextInt(20)));
    };
  }

  byte[] value() {
    int size = switch (random.nextInt(8)) {
      case 0 -> 0;
      case 1 -> maxValueBytes;
      case 2 -> maxValueBytes + 1;
      case 3 -> random.nextInt(maxValueBytes + 1);
      default -> random.nextInt(64);
    };
    byte[] value = new byte[size];
    random.nextBytes(value);
    return value;
  }

  /** A List prefix or cursor: often empty or short, sometimes past the key limit. */
  String prefix() {
    return switch (random.nextInt(6)) {
      case 0, 1 -> "";
      case 2 -> "k" + (random.nextBoolean() ? "" : Integer.toString(random.nextInt(7)));
      default -> key();
    };
  }

  /** A List limit as the wire carries it (uint32): 0, 1, at and past the page cap, and above 2^31. */
  int pageLimit(int maxPageSize) {
    return switch (random.nextInt(7)) {
      case 0 -> 0;
      case 1 -> 1;
      case 2 -> maxPageSize;
      case 3 -> maxPageSize + 1;
      case 4 -> Integer.MAX_VALUE;
      case 5 -> -1 - random.nextInt(3); // 4294967295 and near: negative as a Java int
      default -> random.nextInt(maxPageSize * 2);
    };
  }

  /** A uint32 as the wire carries it: small, at 2^31 and at 2^32 - 1. */
  int uint32(int small) {
    return switch (random.nextInt(5)) {
      case 0 -> Integer.MIN_VALUE;
      case 1 -> -1;
      default -> random.nextInt(small + 1);
    };
  }

  /** Random bytes of a random length up to {@code max}. */
  byte[] bytes(int max) {
    byte[] bytes = new byte[random.nextInt(max + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** A string of exactly {@code bytes} UTF-8 bytes, mixing 1-, 2-, 3- and 4-byte characters. */
  String exactBytes(int bytes) {
    StringBuilder out = new StringBuilder();
    int left = bytes;
    while (left > 0) {
      int width = 1 + random.nextInt(Math.min(4, left));
      int codePoint = switch (width) {
        case 1 -> 'a' + random.nextInt(26);
        case 2 -> 0x00E0 + random.nextInt(32);
        case 3 -> 0x4E00 + random.nextInt(1000);
        default -> 0x1F300 + random.nextInt(200);
      };
      out.appendCodePoint(codePoint);
      left -= width;
    }
    return out.toString();
  }

  private String odd(int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.appendCodePoint(random.nextInt(3) == 0 ? 'a' + random.nextInt(26) : ODD[random.nextInt(ODD.length)]);
    }
    return out.toString();
  }
}
