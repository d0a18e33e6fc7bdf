package io.kvdb.core.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The LevelDB key layout, format version {@value #FORMAT_VERSION}. LevelDB orders keys by unsigned
 * bytes, so each region below is one contiguous range:
 *
 * <pre>
 *   'm' name(utf8)                      metadata: format, leader id, epoch, shards, ...
 *   'd' shard(u32 BE) key(utf8)         data: the key's {@link StoredValue}, version(u64 BE)
 *                                       expires_at_ms(u64 BE) value (its shard first, so that a
 *                                       shard is one range for snapshots, digests and drops)
 *   's' shard(u32 BE)                   shard state: seq, epoch at seq, digest, key count
 *   'l' shard(u32 BE) seq(u64 BE)       log (backlog): the replication event of that seq
 *   'f' id(utf8)                        follower records kept by the leader
 * </pre>
 *
 * <p>A change of this layout bumps {@link #FORMAT_VERSION}; a data dir of another version is refused
 * ({@link OldFormatException} for version 1, whose data values had no header and whose log entries
 * no revision: {@link FormatMigration} upgrades a leader's).
 */
final class Layout {
  static final int FORMAT_VERSION = 2;
  /** The format before versions: values stored bare. */
  static final int FORMAT_UNVERSIONED = 1;

  static final byte META = 'm';
  static final byte DATA = 'd';
  static final byte SHARD_STATE = 's';
  static final byte LOG = 'l';
  static final byte FOLLOWER = 'f';

  private Layout() {}

  static byte[] meta(String name) {
    return prefixed(META, name.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] data(int shard, byte[] key) {
    return ByteBuffer.allocate(5 + key.length).put(DATA).putInt(shard).put(key).array();
  }

  /** The first data key of a shard: {@code 'd' shard}. */
  static byte[] dataShardPrefix(int shard) {
    return ByteBuffer.allocate(5).put(DATA).putInt(shard).array();
  }

  static byte[] userKey(byte[] dataKey) {
    return Arrays.copyOfRange(dataKey, 5, dataKey.length);
  }

  static byte[] shardState(int shard) {
    return ByteBuffer.allocate(5).put(SHARD_STATE).putInt(shard).array();
  }

  static byte[] log(int shard, long seq) {
    return ByteBuffer.allocate(13).put(LOG).putInt(shard).putLong(seq).array();
  }

  static byte[] logShardPrefix(int shard) {
    return ByteBuffer.allocate(5).put(LOG).putInt(shard).array();
  }

  static long logSeq(byte[] logKey) {
    return ByteBuffer.wrap(logKey, 5, 8).getLong();
  }

  static byte[] follower(String id) {
    return prefixed(FOLLOWER, id.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] prefixed(byte tag, byte[] rest) {
    byte[] key = new byte[rest.length + 1];
    key[0] = tag;
    System.arraycopy(rest, 0, key, 1, rest.length);
    return key;
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
