package io.kvdb.gateway.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import io.kvdb.gateway.errors.ApiException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerAuthTest {
  private static RequestHeaders with(String... authorization) {
    var headers = RequestHeaders.builder(HttpMethod.GET, "/get/k");
    for (String value : authorization) {
      headers.add(HttpHeaderNames.AUTHORIZATION, value);
    }
    return headers.build();
  }

  @Test
  void aBearerTokenIsForwardedAndNoHeaderIsNone() {
    assertEquals(Optional.of("t0k3n"), CallerAuth.tokenOf(with("Bearer t0k3n")));
    assertEquals(Optional.of("t0k3n"), CallerAuth.tokenOf(with("bearer  t0k3n ")));
    assertEquals(Optional.empty(), CallerAuth.tokenOf(with()));
  }

  @Test
  void aCredentialOfAnotherSchemeStaysAtTheGateway() {
    assertEquals(Optional.empty(), CallerAuth.tokenOf(with("Basic dXNlcjpwYXNzd29yZA==")));
    assertEquals(Optional.empty(), CallerAuth.tokenOf(with("t0k3n")));
  }

  @Test
  void aHeaderNoTokenCheckCouldAcceptIs401() {
    for (String[] headers : new String[][] {{"Bearer"}, {"Bearer   "}, {"Bearer a b"}, {"Bearer caf\u00e9"},
        {"Bearer t0k3n", "Bearer t0k3n"}}) {
      ApiException refused = assertThrows(ApiException.class, () -> CallerAuth.tokenOf(with(headers)),
          String.join(" | ", headers));
      assertEquals(HttpStatus.UNAUTHORIZED, refused.status());
    }
  }
}
