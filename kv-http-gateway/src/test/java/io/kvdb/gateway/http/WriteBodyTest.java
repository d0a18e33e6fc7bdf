package io.kvdb.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The checks of POST /set bodies that need no server (the rest are in KvHttpApiTest). */
class WriteBodyTest {
  @Test
  void findsLoneSurrogatesButAcceptsPairs() {
    assertEquals(-1, WriteBody.firstUnpairedSurrogate("plain"));
    assertEquals(-1, WriteBody.firstUnpairedSurrogate("emoji 🔑 ok"));
    assertEquals(0, WriteBody.firstUnpairedSurrogate("\uD800"));
    assertEquals(1, WriteBody.firstUnpairedSurrogate("a\uDC00b"));
    assertEquals(1, WriteBody.firstUnpairedSurrogate("a\uD83D"));
    assertEquals(2, WriteBody.firstUnpairedSurrogate("🔑\uDD11"));
  }
}
