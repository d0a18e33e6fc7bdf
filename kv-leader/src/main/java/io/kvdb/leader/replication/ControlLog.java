package io.kvdb.leader.replication;

import io.kvdb.replication.v1.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs control messages the leader failed to handle or refused: the first of each kind in full,
 * then at most one line every 10 s with the count, so that a follower retrying a failing request,
 * or a client making up routing ids, cannot flood the log. Used by the control thread only.
 */
final class ControlLog {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private static final long EVERY_MS = 10_000;

  private long failed;
  private long lastControlLoggedMs;
  private long refused;
  private long lastRefusalLoggedMs;

  /** A message whose handling threw; it was answered with an error. */
  void failed(String from, ControlMessage.BodyCase what, RuntimeException e) {
    failed++;
    long now = nowMs();
    if (failed == 1) {
      log.error("a {} from {} failed; answered with an error", what, from, e);
    } else if (now - lastControlLoggedMs >= EVERY_MS) {
      log.error("a {} from {} failed; answered with an error ({} control messages failed so far): {}", what, from,
          failed, e.toString());
    } else {
      return;
    }
    lastControlLoggedMs = now;
  }

  /** A request the leader does not serve; it was answered with a refusal. */
  void refused(String from, String what, String why) {
    refused++;
    long now = nowMs();
    if (refused == 1 || now - lastRefusalLoggedMs >= EVERY_MS) {
      lastRefusalLoggedMs = now;
      log.warn("refused {} from {}: {} ({} refused so far)", what, from, why, refused);
    }
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
