package io.kvdb.core.leader;

import io.kvdb.core.storage.ShardState;
import java.util.List;

/**
 * One shard's events of one committed batch, as the writer hands them to the {@link EventSink}:
 * {@code entries} are the events' encoded bytes (the very log entries of the backlog), in seq order,
 * consecutive seqs ending at {@code head}, the shard's state after the last of them; {@code committedAtMs}
 * is when the batch's write to the disk returned (with its sync, in sync durability), on the leader's
 * clock: the writes are committed from then on, and their replication starts no earlier, so the
 * replication lag counts from it. (The log entries carry an earlier stamp, taken as the batch was
 * built, before its sync: see {@link CommitTimes}.)
 */
public record ShardEvents(int shard, ShardState head, List<byte[]> entries, long committedAtMs) {}
