package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replays the README's grpcurl calls, in order, against a fresh leader with the default shards
 * ({@link GrpcurlReplay}): each answer shown must be what the leader answers.
 */
@Timeout(60)
class ReadmeGrpcurlTest {
  @RegisterExtension
  static final TestLeader leader = TestLeader.inProcess(config -> TestLeader.withShards(config, OptionalInt.empty()));

  @Test
  void everyGrpcurlCallWorksAndAnswersAsShown() throws Exception {
    GrpcurlReplay.Counts counts = new GrpcurlReplay(leader.channel()).replay(Readme.load().blocksUnder("grpcurl"));
    assertTrue(counts.calls() >= 8, "found only " + counts.calls() + " grpcurl calls with -d");
    assertEquals(4, counts.answers());
  }

  @Test
  void listAnswersTheServicesShown() throws Exception {
    Readme.Block shown = Readme.load().blocksUnder("grpcurl").stream()
        .filter(block -> block.language().isEmpty() && block.text().startsWith("grpc.")).findFirst().orElseThrow();
    // grpcurl prints the names sorted.
    List<String> services = ReflectionClient.v1alpha(leader.channel()).listServices().stream().sorted().toList();
    assertEquals(String.join("\n", services) + "\n", shown.text());
  }
}
