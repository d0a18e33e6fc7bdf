package io.kvdb.core.dump;

import io.kvdb.api.v1.DumpChunk;
import io.kvdb.api.v1.DumpEntry;
import io.kvdb.api.v1.DumpHeader;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.DumpShard;
import io.kvdb.common.dump.ChunkChecksum;
import io.kvdb.common.dump.DumpException;
import io.kvdb.core.sharding.ShardFunction;
import io.kvdb.core.storage.Digest;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.LeaderMetadata;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreBatch;
import io.kvdb.core.storage.StoredValue;
import io.kvdb.replication.v1.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Makes a leader data dir from shard dumps: one stream (a backup file), or several that together
 * hold every shard once (a rebuild, one stream per follower). Each message is checked before
 * anything of it is written: its chunk's checksum, its place in the stream, key order, that each
 * key belongs to its shard, and at a shard's last chunk its digest and key count against the
 * header. A shard's state and its head log entry are written with its last chunk; the leader
 * metadata (id kept, shard count, an epoch above the dump's) only by {@link #finish}, so a data
 * dir cut short is not a leader's. The caller writes into a fresh dir and throws it away on any
 * {@link DumpException}.
 *
 * <p>The head log entry is the event at the shard's seq as far as a follower's hello needs it
 * (seq and its epoch, digest, key count; no change): a follower at exactly that seq and epoch then
 * resumes from it, and any other one takes a snapshot (its seq is not in this leader's log).
 */
public final class LeaderDirWriter {
  private final KvStore store;
  private String leaderId;
  private ShardFunction shardFunction;
  private long highestEpoch;
  private final Map<Integer, DumpShard> complete = new TreeMap<>();
  /** The stream being read: its shards still to come, and where the current one stands. */
  private final Deque<DumpShard> expected = new ArrayDeque<>();
  private boolean inStream;
  private long nextIndex;
  private byte[] lastKey;
  private long digest;
  private long keys;
  private long chunks;

  /** What {@link #finish} made: the cluster, its epoch floor, the shards written and those missing. */
  public record Result(String leaderId, int shardCount, long epochFloor, Map<Integer, DumpShard> shards,
      List<Integer> missing) {}

  /** Writes into {@code store}, a new, empty data dir. */
  public LeaderDirWriter(KvStore store) {
    this.store = store;
  }

  /** Takes the next message of a stream; {@code where} names it in errors (e.g. "frame 12 at byte 4096"). */
  public void accept(DumpMessage message, String where) {
    switch (message.getBodyCase()) {
      case HEADER -> header(message.getHeader(), where);
      case CHUNK -> chunk(message.getChunk(), where);
      case END -> end(message.getEnd().getChunks(), where);
      default -> throw new DumpException(where + ": a message with no known body");
    }
  }

  private void header(DumpHeader header, String where) {
    if (inStream) {
      throw new DumpException(where + ": a second header before the stream's shards were complete");
    }
    if (header.getFormatVersion() != ShardDumpReader.FORMAT_VERSION) {
      throw new DumpException(where + ": dump format version " + header.getFormatVersion() + "; this build reads "
          + ShardDumpReader.FORMAT_VERSION);
    }
    if (leaderId == null) {
      if (header.getLeaderId().isEmpty() || header.getShardCount() < 1
          || header.getShardCount() > ShardFunction.MAX_SHARDS) {
        throw new DumpException(where + ": the header names no leader id or a bad shard count ("
            + header.getShardCount() + ")");
      }
      leaderId = header.getLeaderId();
      shardFunction = new ShardFunction(header.getShardCount());
    } else if (!leaderId.equals(header.getLeaderId()) || shardFunction.shards() != header.getShardCount()) {
      throw new DumpException(where + ": leader " + header.getLeaderId() + " with " + header.getShardCount()
          + " shards, but the dump so far is of leader " + leaderId + " with " + shardFunction.shards() + " shards");
    }
    highestEpoch = Math.max(highestEpoch, header.getEpoch());
    for (DumpShard shard : header.getShardsList()) {
      if (shard.getShard() >= header.getShardCount()) {
        throw new DumpException(where + ": the header lists shard " + shard.getShard() + " of "
            + header.getShardCount());
      }
      if (complete.containsKey(shard.getShard())
          || expected.stream().anyMatch(other -> other.getShard() == shard.getShard())) {
        throw new DumpException(where + ": shard " + shard.getShard() + " is in the dump twice");
      }
      expected.add(shard);
      highestEpoch = Math.max(highestEpoch, shard.getSeqEpoch());
    }
    inStream = true;
    startShard();
  }

  private void startShard() {
    nextIndex = 0;
    lastKey = null;
    digest = 0;
    keys = 0;
  }

  private void chunk(DumpChunk chunk, String where) {
    if (!inStream) {
      throw new DumpException(where + ": a chunk before the header");
    }
    DumpShard shard = expected.peek();
    if (shard == null) {
      throw new DumpException(where + ": a chunk of shard " + chunk.getShard() + " after the last shard of the header");
    }
    String at = where + ": shard " + chunk.getShard() + " chunk " + chunk.getIndex();
    if (ChunkChecksum.of(chunk) != chunk.getCrc32C()) {
      throw new DumpException(at + ": checksum mismatch (the chunk is corrupted)");
    }
    if (chunk.getShard() != shard.getShard() || chunk.getIndex() != nextIndex) {
      throw new DumpException(at + ": expected shard " + shard.getShard() + " chunk " + nextIndex
          + " (a chunk is missing or out of order)");
    }
    try (StoreBatch batch = store.newBatch()) {
      for (DumpEntry entry : chunk.getEntriesList()) {
        byte[] key = entry.getKey().toByteArray();
        StoredValue value = new StoredValue(entry.getValue().toByteArray(), entry.getVersion(), entry.getExpiresAtMs());
        if (lastKey != null && Arrays.compareUnsigned(lastKey, key) >= 0) {
          throw new DumpException(at + ": keys out of order");
        }
        if (key.length == 0 || shardFunction.shardOf(key) != shard.getShard()) {
          throw new DumpException(at + ": a key that does not belong to shard " + shard.getShard());
        }
        batch.putData(shard.getShard(), key, value);
        digest += Digest.of(key, value);
        keys++;
        lastKey = key;
      }
      nextIndex++;
      chunks++;
      if (chunk.getLast()) {
        finishShard(shard, batch, at);
      }
      store.write(batch);
    }
  }

  private void finishShard(DumpShard shard, StoreBatch batch, String at) {
    if (digest != shard.getDigest() || keys != shard.getKeys()) {
      throw new DumpException(at + ": the shard's pairs come to " + keys + " keys, digest " + Long.toUnsignedString(digest)
          + "; its header says " + shard.getKeys() + " keys, digest " + Long.toUnsignedString(shard.getDigest()));
    }
    int id = shard.getShard();
    ShardState state = new ShardState(shard.getSeq(), shard.getSeqEpoch(), shard.getDigest(), shard.getKeys());
    batch.putShardState(id, state);
    if (state.seq() > 0) {
      batch.putLog(id, state.seq(), Event.newBuilder().setLeaderId(leaderId).setEpoch(state.seqEpoch()).setShard(id)
          .setSeq(state.seq()).setDigest(state.digest()).setKeys(state.keys()).build().toByteArray());
    }
    complete.put(id, expected.poll());
    startShard();
  }

  private void end(long declaredChunks, String where) {
    endOfStream(where);
    if (declaredChunks != chunks) {
      throw new DumpException(where + ": the end says " + declaredChunks + " chunks, " + chunks + " came");
    }
  }

  /** The stream ended: every shard its header listed must be complete. */
  public void endOfStream(String where) {
    if (!inStream) {
      throw new DumpException(where + ": the stream ended before its header (empty or truncated)");
    }
    if (!expected.isEmpty()) {
      DumpShard shard = expected.peek();
      throw new DumpException(where + ": truncated: shard " + shard.getShard() + " ends after chunk "
          + (nextIndex - 1) + " without its last chunk, and " + (expected.size() - 1) + " more shards are missing");
    }
    inStream = false;
  }

  /**
   * Writes the leader metadata (id, shard count, an epoch at least {@code epochAtLeast} and above
   * every epoch in the dump) and syncs everything. Shards the dump does not hold are refused unless
   * {@code allowMissing}.
   */
  public Result finish(long epochAtLeast, boolean allowMissing) {
    return finish(epochAtLeast, allowMissing, (batch, result) -> {});
  }

  /**
   * As {@link #finish(long, boolean)}; missing shards, when allowed, are kept as such in the data
   * dir (the leader refuses writes to them), and {@code more} adds to the same final batch, knowing
   * what the dump came to.
   */
  public Result finish(long epochAtLeast, boolean allowMissing, BiConsumer<StoreBatch, Result> more) {
    if (leaderId == null) {
      throw new DumpException("the dump holds no header");
    }
    if (inStream) {
      endOfStream("the end of the dump");
    }
    List<Integer> missing = new ArrayList<>();
    for (int shard = 0; shard < shardFunction.shards(); shard++) {
      if (!complete.containsKey(shard)) {
        missing.add(shard);
      }
    }
    if (!missing.isEmpty() && !allowMissing) {
      throw new DumpException("the dump holds no copy of shards " + missing);
    }
    long epoch = Math.max(highestEpoch, epochAtLeast);
    Result result = new Result(leaderId, shardFunction.shards(), epoch, Collections.unmodifiableMap(complete),
        List.copyOf(missing));
    try (StoreBatch batch = store.newBatch()) {
      LeaderMetadata.seed(batch, leaderId, shardFunction.shards(), epoch);
      LeaderMetadata.seedMissing(batch, missing);
      more.accept(batch, result);
      store.writeSynced(batch); // syncs LevelDB's log, and with it every chunk written before
    }
    return result;
  }
}
