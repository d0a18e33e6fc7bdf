package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's "Versions and compare-and-set" and "Watch" grpcurl calls, replayed on a fresh leader
 * with the default shards (one leader for both: the sections' keys differ).
 */
@Timeout(60)
class ReadmeVersionsTest {
  @RegisterExtension
  static final TestLeader leader = TestLeader.inProcess(config -> TestLeader.withShards(config, OptionalInt.empty()));

  @Test
  void everyCompareAndSetCallAnswersAsShown() throws Exception {
    GrpcurlReplay.Counts counts = new GrpcurlReplay(leader.channel())
        .replay(Readme.load().blocksUnder("Versions and compare-and-set"));
    assertEquals(4, counts.calls());
    assertEquals(4, counts.answers());
  }

  @Test
  void theWatchSectionsCallsAnswerAsShown() throws Exception {
    GrpcurlReplay.Counts counts = new GrpcurlReplay(leader.channel()).replay(Readme.load().blocksUnder("Watch"));
    assertEquals(3, counts.calls());
    assertEquals(2, counts.answers());
  }
}
