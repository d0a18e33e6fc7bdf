package io.kvdb.leader.replication;

import io.kvdb.replication.v1.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs control messages the leader failed to handle: the first with its stack trace, then at most
 * one line every 10 s with the count, so that a follower retrying a failing request cannot flood
 * the log. Used by the control thread only.
 */
final class FailureLog {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private static final long EVERY_MS = 10_000;

  private long failed;
  private long lastLoggedMs;

  void failed(String from, ControlMessage.BodyCase what, RuntimeException e) {
    failed++;
    long now = System.nanoTime() / 1_000_000;
    if (failed == 1) {
      log.error("a {} from {} failed; answered with an error", what, from, e);
    } else if (now - lastLoggedMs >= EVERY_MS) {
      log.error("a {} from {} failed; answered with an error ({} control messages failed so far): {}", what, from,
          failed, e.toString());
    } else {
      return;
    }
    lastLoggedMs = now;
  }
}
