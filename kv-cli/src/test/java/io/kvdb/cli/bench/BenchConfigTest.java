package io.kvdb.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
  @Test
  void defaultsTargetTheLeaderOverGrpcAndTheGatewayOverHttp() {
    BenchConfig grpc = BenchConfig.parse(List.of(), "10.0.0.1:50051");
    assertEquals(Workload.UPDATE, grpc.workload());
    assertEquals("10.0.0.1:50051", grpc.target().toString());
    assertEquals(Duration.ofSeconds(10), grpc.duration());
    assertTrue(grpc.ops().isEmpty() && !grpc.zipfian());
    BenchConfig http = BenchConfig.parse(List.of("--protocol=http", "--warmup", "1.5", "--ops", "1k"), "x:1");
    assertEquals("127.0.0.1:3000", http.target().toString());
    assertEquals(Duration.ofMillis(1500), http.warmup());
    assertEquals(1024, http.ops().getAsLong());
    assertTrue(grpc.rate().isEmpty());
    assertEquals(2500.0, BenchConfig.parse(List.of("--rate", "2500"), "x:1").rate().getAsDouble());
    assertEquals(0, grpc.firstKey());
    assertEquals(1_000_000, BenchConfig.parse(List.of("--first-key", "1000000"), "x:1").firstKey());
  }

  @Test
  void badValuesNameTheirFlag() {
    assertTrue(message("--duration", "1", "--ops", "2").contains("not both"));
    assertTrue(message("--workload", "scan").contains("load, read, update, read-mostly"));
    assertTrue(message("--warmup", "soon").contains("--warmup"));
    assertTrue(message("--value-bytes", "-1").contains("--value-bytes"));
    assertTrue(message("--duration", "0").contains("--duration"));
    assertTrue(message("--rate", "0").contains("--rate"));
    assertTrue(message("--rate", "fast").contains("--rate"));
    assertTrue(message("--first-key", "-1").contains("--first-key"));
  }

  private static String message(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse(List.of(args), "x:1")).getMessage();
  }
}
