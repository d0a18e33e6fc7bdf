package io.kvdb.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.security.BearerTokens.Role;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The startup warning for ports other machines can reach without protection. */
class GrpcSecurityTest {
  private final GrpcSecurity tokensOnly =
      GrpcSecurity.withTokens(BearerTokens.of(Map.of("a-token-of-16-chars", Role.WRITE)));

  @Test
  void loopbackNeedsNoWarning() {
    assertEquals(Optional.empty(), GrpcSecurity.NONE.exposure("127.0.0.1"));
    assertEquals(Optional.empty(), GrpcSecurity.NONE.exposure("localhost"));
  }

  @Test
  void otherAddressesWarnAboutWhatIsMissing() {
    assertTrue(GrpcSecurity.NONE.exposure("0.0.0.0").orElseThrow().contains("neither TLS nor bearer tokens"));
    assertTrue(tokensOnly.exposure("0.0.0.0").orElseThrow().contains("tokens over plaintext"));
  }
}
