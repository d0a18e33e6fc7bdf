package io.kvdb.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void defaultsMatchTheDesign() {
    GatewayConfig config = GatewayConfig.fromArgs().orElseThrow();

    assertEquals("0.0.0.0", config.host());
    assertEquals(3000, config.port());
    assertEquals(new LeaderAddress("127.0.0.1", 50051), config.leader());
    assertEquals(List.of(), config.corsOrigins());
    assertEquals(GatewayConfig.DEFAULT_MAX_BODY_BYTES, config.maxBodyBytes());
  }

  @Test
  void theLaunchersFlagsParse() {
    GatewayConfig config = GatewayConfig.fromArgs("--host", "127.0.0.1", "--port", "3000", "--leader",
        "127.0.0.1:50051", "--cors-origins", "http://localhost:3000,http://127.0.0.1:3000").orElseThrow();

    assertEquals("127.0.0.1", config.host());
    assertEquals(List.of("http://localhost:3000", "http://127.0.0.1:3000"), config.corsOrigins());
  }

  @Test
  void equalsFormSizesAndTimeouts() {
    GatewayConfig config = GatewayConfig.fromArgs("--max-body-bytes=64k", "--leader-timeout-ms=2500",
        "--leader=[::1]:6000").orElseThrow();

    assertEquals(64 * 1024, config.maxBodyBytes());
    assertEquals(Duration.ofMillis(2500), config.leaderTimeout());
    assertEquals(new LeaderAddress("::1", 6000), config.leader());
    assertEquals("[::1]:6000", config.leader().toString());
  }

  @Test
  void helpIsNotAConfig() {
    assertTrue(GatewayConfig.fromArgs("--help").isEmpty());
    assertTrue(GatewayConfig.usage().contains("--cors-origins"));
  }

  @Test
  void badFlagsNameWhatIsWrong() {
    assertMessage("unknown flag --prot", "--prot", "1");
    assertMessage("--port needs a number", "--port", "http");
    assertMessage("--port must be in 0..65535", "--port", "70000");
    assertMessage("HOST:PORT", "--leader", "localhost");
    assertMessage("leader port is not a number", "--leader", "localhost:x");
    assertMessage("IPv6", "--leader", "::1:50051");
    assertMessage("CORS origin", "--cors-origins", "localhost:3000");
    assertMessage("CORS origin", "--cors-origins", "http://a.test/path");
    assertMessage("needs a value", "--leader");
    assertMessage("unexpected argument", "gateway");
    assertMessage("max body bytes must be > 0", "--max-body-bytes", "0");
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromArgs(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
