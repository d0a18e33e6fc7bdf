package io.kvdb.core.leader;

import io.kvdb.core.storage.ShardState;
import java.util.List;

/**
 * One shard's events of one committed batch, as the writer hands them to the {@link EventSink}:
 * {@code entries} are the events' encoded bytes (the very log entries of the backlog), in seq order,
 * consecutive seqs ending at {@code head}, the shard's state after the last of them; {@code commitTimeMs}
 * is the batch's commit time on the leader's clock, stamped on each of them.
 */
public record ShardEvents(int shard, ShardState head, List<byte[]> entries, long commitTimeMs) {}
