package io.kvdb.core.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A value as the 'd' region stores it (format version 2), on the leader and the followers alike:
 * a fixed 16-byte header, {@code version} (u64 BE, the revision of the key's last write) and
 * {@code expiresAtMs} (u64 BE, wall-clock ms since 1970; 0: no expiry), then the value's bytes.
 * Fixed rather than varint: 16 bytes a key, and a header read without parsing.
 */
public record StoredValue(byte[] value, long version, long expiresAtMs) {
  /** Bytes of the header before the value. */
  public static final int HEADER_BYTES = 16;

  /** The stored form: header, then value. */
  public byte[] encode() {
    return ByteBuffer.allocate(HEADER_BYTES + value.length).putLong(version).putLong(expiresAtMs).put(value).array();
  }

  /** Reads the stored form back; a record shorter than the header is a damaged data dir. */
  public static StoredValue decode(byte[] stored) {
    if (stored.length < HEADER_BYTES) {
      throw new StorageException("a stored value of " + stored.length + " bytes is shorter than its "
          + HEADER_BYTES + "-byte header: the data dir is damaged or of another format");
    }
    ByteBuffer header = ByteBuffer.wrap(stored, 0, HEADER_BYTES);
    return new StoredValue(Arrays.copyOfRange(stored, HEADER_BYTES, stored.length), header.getLong(), header.getLong());
  }

  /** True when the key has a TTL and its deadline is {@code nowMs} (wall-clock) or earlier: no read returns it. */
  public boolean expiredAt(long nowMs) {
    return isExpired(expiresAtMs, nowMs);
  }

  /** Milliseconds left until the key expires, as of {@code nowMs}: 0 when it has no TTL. */
  public long remainingMs(long nowMs) {
    return expiresAtMs == 0 ? 0 : Math.max(1, expiresAtMs - nowMs);
  }

  /** Whether an expiry time (0: never) has passed at {@code nowMs}: the one definition of expired. */
  public static boolean isExpired(long expiresAtMs, long nowMs) {
    return expiresAtMs != 0 && expiresAtMs <= nowMs;
  }

  /** The expiry time of a stored form, without copying its value. */
  static long expiresAtOf(byte[] stored) {
    return ByteBuffer.wrap(stored, 8, 8).getLong();
  }

  /** The version of a stored form, without copying its value. */
  static long versionOf(byte[] stored) {
    return ByteBuffer.wrap(stored, 0, 8).getLong();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredValue that && version == that.version && expiresAtMs == that.expiresAtMs
        && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(value) + Long.hashCode(version)) + Long.hashCode(expiresAtMs);
  }

  @Override
  public String toString() {
    return "StoredValue[" + value.length + " bytes, version " + version + ", expires_at_ms " + expiresAtMs + "]";
  }
}
