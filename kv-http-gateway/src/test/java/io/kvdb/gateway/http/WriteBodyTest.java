package io.kvdb.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.kvdb.gateway.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /**
   * The token-by-token fast path answers every body as the full parse does: the same key and value,
   * or the same 400. Each body below takes the fast path, leaves it half-way, or never enters it.
   */
  @Test
  void fastPathAgreesWithTheFullParse() {
    List<String> bodies = List.of(
        "{\"key\":\"a\",\"value\":\"b\"}",
        " {\"value\": \"b\", \"key\": \"a\"} \n",
        "{\"key\":\"k\",\"value\":\"aGk=\",\"encoding\":\"base64\"}",
        "{\"key\":\"k\",\"value\":\"x\",\"encoding\":\"utf8\"}",
        "{\"key\":\"k\",\"value\":\"not base64!\",\"encoding\":\"base64\"}",
        "{\"key\":\"k\",\"value\":\"x\",\"encoding\":\"latin1\"}",
        "{\"key\":\"k\",\"value\":\"x\",\"encoding\":7}",
        "{\"key\":\"\",\"value\":\"\\uD800\"}",
        "{\"key\":\"\\uDC00\",\"value\":\"x\"}",
        "{\"key\":\"k\",\"value\":\"\\uD83D\"}",
        "{\"key\":\"\",\"value\":\"x\"}",
        "{\"key\":\"a\",\"key\":\"b\",\"value\":\"x\"}",
        "{\"key\":\"a\",\"value\":\"x\",\"extra\":1}",
        "{\"key\":\"a\",\"extra\":\"y\",\"value\":\"x\"}",
        "{\"key\":\"a\"}",
        "{\"value\":\"x\"}",
        "{\"key\":1,\"value\":\"x\"}",
        "{\"key\":\"a\",\"value\":null}",
        "{\"key\":\"a\",\"value\":[\"x\"]}",
        "{\"key\":\"a\",\"value\":\"x\"} trailing",
        "{\"key\":\"a\",\"value\":\"x\"}{}",
        "{\"key\":\"a\",\"value\":\"x\"",
        "{\"key\":\"a\" \"value\":\"x\"}",
        "[\"key\",\"value\"]",
        "\"key\"",
        "null",
        "{}");
    for (String body : bodies) {
      assertEquals(outcome(() -> WriteBody.fromTree(body.getBytes(StandardCharsets.UTF_8))),
          outcome(() -> WriteBody.parse(AggregatedHttpRequest.of(
              RequestHeaders.builder(HttpMethod.POST, "/set").contentType(MediaType.JSON).build(),
              HttpData.ofUtf8(body)))),
          body);
    }
  }

  private interface Parse {
    WriteBody run();
  }

  /** The parsed pair, or the 400's message. */
  private static String outcome(Parse parse) {
    try {
      WriteBody parsed = parse.run();
      return "ok " + parsed.key() + " = " + parsed.value().toStringUtf8();
    } catch (ApiException e) {
      return "error " + e.getMessage();
    }
  }
}
