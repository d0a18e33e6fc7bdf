/**
 * The storage-free half of the shard dump (proto {@code kv/v1/dump.proto}): the chunk checksum and
 * the backup file's framing, shared by the CLI's {@code kv backup} (which holds no storage library)
 * and kv-core's reader, writer and restore.
 */
package io.kvdb.common.dump;
