package io.kvdb.client;

import java.util.Comparator;

/**
 * kvdb's key order, unsigned UTF-8 bytes, which is Unicode code point order. Java's
 * {@code String.compareTo} compares UTF-16 units and puts U+E000..U+FFFF after the characters
 * beyond the BMP, so a merge of listings must not use it.
 */
final class KeyOrder {
  static final Comparator<String> CODE_POINTS = KeyOrder::compare;

  private KeyOrder() {}

  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
