package io.kvdb.system;

import java.time.Duration;

/**
 * How big the fault suite and the fuzz tests run: a short form in every build, a long one with
 * {@code mvn -Psoak verify} (which sets {@code -Dkvdb.test.soak=true}).
 *
 * @param keysBeforeFaults keys written before the loopback scenarios and checked after them all
 * @param workers load threads, each owning its keys
 * @param keysPerWorker keys each worker writes and deletes at random
 * @param followerKills kill -9 of a follower, at random moments
 * @param leaderKills kill -9 of the leader, at random moments
 * @param stopBeyondDeadTimeout how long a SIGSTOPped follower stays stopped after the leader declared it dead
 * @param linkCut how long a follower's network link is down
 * @param fuzzSeconds time of the fuzz tests together: 2/5 for the gRPC API, 3/10 each for the ZeroMQ ports
 *     and the HTTP gateway
 */
record Scale(int keysBeforeFaults, int workers, int keysPerWorker, int followerKills, int leaderKills, Duration stopBeyondDeadTimeout,
    Duration linkCut, int fuzzSeconds) {
  static final Scale SHORT = new Scale(50_000, 8, 3_000, 3, 1, Duration.ZERO, Duration.ofSeconds(5), 20);
  static final Scale SOAK = new Scale(200_000, 8, 25_000, 10, 3, Duration.ofSeconds(20), Duration.ofSeconds(30), 150);

  static Scale current() {
    return Boolean.getBoolean("kvdb.test.soak") ? SOAK : SHORT;
  }
}
