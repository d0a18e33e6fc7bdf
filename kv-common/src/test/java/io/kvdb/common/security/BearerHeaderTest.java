package io.kvdb.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerHeaderTest {
  @Test
  void theValueAndItsMetadata() {
    assertEquals("Bearer t0k3n", BearerHeader.value("t0k3n"));
    assertEquals("Bearer t0k3n", BearerHeader.metadata("t0k3n").get(BearerHeader.AUTHORIZATION));
    assertEquals("authorization", BearerHeader.AUTHORIZATION.name());
    assertEquals("Bearer realm=\"kvdb\"", BearerHeader.CHALLENGE);
  }

  @Test
  void theTokenOfAHeaderInAnyCaseOfTheScheme() {
    assertEquals(Optional.of("t0k3n"), BearerHeader.token("Bearer t0k3n"));
    assertEquals(Optional.of("t0k3n"), BearerHeader.token("bearer  t0k3n "));
    assertEquals(Optional.of("t0k3n"), BearerHeader.token("BEARER t0k3n"));
  }

  @Test
  void aWellFormedTokenIsVisibleAsciiWithoutSpaces() {
    assertTrue(BearerHeader.isWellFormed("t0k3n-._~+/="));
    for (String token : new String[] {"", "a b", "tab\t", "caf\u00e9", "nul\u0000", "del\u007f"}) {
      assertFalse(BearerHeader.isWellFormed(token), "'" + token + "'");
    }
  }

  @Test
  void otherShapesHaveNoToken() {
    for (String header : new String[] {"", "Bearer", "Bearer ", "Bearer    ", "Basic dXNlcjpwdw==", "t0k3n", "Bearert0k3n"}) {
      assertEquals(Optional.empty(), BearerHeader.token(header), "'" + header + "'");
    }
  }
}
