package io.kvdb.core.leader;

import java.nio.charset.StandardCharsets;

/**
 * One write of an atomic batch ({@link WritePipeline#batch}): a put of {@code value} under
 * {@code key}, or a delete when {@code value} is null; only if the key's version is
 * {@code expectedVersion} (null: no condition; 0: the key must not exist); a put's key expiring at
 * {@code expiresAtMs} (wall-clock ms; 0: never). {@code value} is not copied.
 */
public record BatchWrite(String key, byte[] keyBytes, byte[] value, Long expectedVersion, long expiresAtMs) {
  /** A put. */
  public static BatchWrite put(String key, byte[] value, Long expectedVersion, long expiresAtMs) {
    return new BatchWrite(key, key.getBytes(StandardCharsets.UTF_8), value, expectedVersion, expiresAtMs);
  }

  /** A delete. */
  public static BatchWrite delete(String key, Long expectedVersion) {
    return new BatchWrite(key, key.getBytes(StandardCharsets.UTF_8), null, expectedVersion, 0);
  }

  boolean isDelete() {
    return value == null;
  }
}
