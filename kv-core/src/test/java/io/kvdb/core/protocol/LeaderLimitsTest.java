package io.kvdb.core.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvdb.core.config.Limits;
import io.kvdb.replication.v1.ServingLimits;
import io.kvdb.replication.v1.Welcome;
import org.junit.jupiter.api.Test;

class LeaderLimitsTest {
  private static final Limits LARGER_KEYS = new Limits(4096, Limits.DEFAULT.maxValueBytes(),
      Limits.DEFAULT.maxMessageBytes(), Limits.DEFAULT.defaultPageSize(), Limits.DEFAULT.maxPageSize());

  @Test
  void theLimitsGoThroughTheWelcomeUnchanged() throws Exception {
    Welcome welcome = Welcome.newBuilder().setLimits(LeaderLimits.toWire(LARGER_KEYS)).build();
    assertEquals(LARGER_KEYS, LeaderLimits.fromWelcome(Welcome.parseFrom(welcome.toByteArray())));
  }

  @Test
  void aWelcomeWithoutLimitsMeansTheDefaults() {
    assertEquals(Limits.DEFAULT, LeaderLimits.fromWelcome(Welcome.getDefaultInstance()));
  }

  @Test
  void limitsThatAreNotLimitsAreRefused() {
    Welcome zeroKeys = Welcome.newBuilder().setLimits(ServingLimits.newBuilder().setMaxKeyBytes(0)).build();
    assertThrows(IllegalArgumentException.class, () -> LeaderLimits.fromWelcome(zeroKeys));
    Welcome huge = Welcome.newBuilder().setLimits(LeaderLimits.toWire(Limits.DEFAULT).toBuilder()
        .setMaxKeyBytes(-1)).build(); // 2^32 - 1 on the wire
    assertThrows(IllegalArgumentException.class, () -> LeaderLimits.fromWelcome(huge));
  }

  @Test
  void onlyFollowersOfThisVersionAreAccepted() {
    assertNull(LeaderLimits.versionRefusal(Frames.PROTOCOL_VERSION));
    for (int older = 1; older < Frames.PROTOCOL_VERSION; older++) {
      String refusal = LeaderLimits.versionRefusal(older);
      assertTrue(refusal.contains("protocol version " + older + " is not supported") && refusal.contains("carry versions")
          && refusal.contains("upgrade this follower"), refusal);
    }
    assertTrue(LeaderLimits.versionRefusal(-1).contains("4294967295"), "unsigned, as on the wire");
  }
}
