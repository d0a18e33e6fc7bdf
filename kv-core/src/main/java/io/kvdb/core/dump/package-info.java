/**
 * The shard dump (proto {@code kv/v1/dump.proto}): a consistent copy of shards as a stream of
 * checksummed chunks, one format for the leader's backup stream, the backup file and a follower's
 * snapshot stream. {@link ShardDumpReader} makes one from a {@link io.kvdb.core.storage.KvStore}
 * snapshot (leader and follower share the layout), {@link LeaderDirWriter} makes a leader data dir
 * from one, {@link Restore} makes one from a backup file
 * ({@link io.kvdb.common.dump.BackupFile}, whose framing the CLI shares), and {@link DumpStreamer} sends one on a gRPC
 * server stream.
 */
package io.kvdb.core.dump;
