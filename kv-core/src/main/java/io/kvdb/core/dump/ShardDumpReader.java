package io.kvdb.core.dump;

import com.google.protobuf.UnsafeByteOperations;
import io.kvdb.api.v1.DumpChunk;
import io.kvdb.api.v1.DumpEntry;
import io.kvdb.api.v1.DumpHeader;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.api.v1.DumpShard;
import io.kvdb.common.dump.ChunkChecksum;
import io.kvdb.core.storage.KvStore;
import io.kvdb.core.storage.ShardCursor;
import io.kvdb.core.storage.ShardState;
import io.kvdb.core.storage.StoreSnapshot;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a shard dump from one {@link StoreSnapshot} of a {@link KvStore}: the header first (each
 * shard's seq, epoch, digest and key count, read from the snapshot), then each shard's chunks, read
 * one at a time as they are asked for. The leader's data dir and a follower's have the same layout,
 * so both are read here. Owns the snapshot (closed with the reader) and is used by one thread at a
 * time.
 */
public final class ShardDumpReader implements Iterator<DumpMessage>, AutoCloseable {
  /** The chunk size when the request names none. */
  public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;
  /** The largest chunk size a request may ask for: a chunk must fit a client's default 4 MiB message limit. */
  public static final int MAX_CHUNK_BYTES = 1024 * 1024;
  public static final int FORMAT_VERSION = 2;

  private final KvStore store;
  private final StoreSnapshot snapshot;
  private final int chunkBytes;
  private final DumpHeader header;
  private boolean headerSent;
  /** Position in the header's shards of the shard being read; its cursor, and the next chunk's index. */
  private int position;
  private ShardCursor cursor;
  private long index;
  private boolean pending;

  /**
   * A reader of {@code shards} (in that order) as of {@code snapshot}, which it takes over;
   * {@code chunkBytes} bounds the keys and values of a chunk, each pair counted with its framing
   * ({@link ShardCursor#ENTRY_FRAMING_BYTES}) (0: the default; at most {@link #MAX_CHUNK_BYTES}; at
   * least one pair per chunk, however big).
   */
  public ShardDumpReader(KvStore store, StoreSnapshot snapshot, DumpOrigin origin, List<Integer> shards,
      int chunkBytes) {
    this.store = store;
    this.snapshot = snapshot;
    this.chunkBytes = chunkBytes <= 0 ? DEFAULT_CHUNK_BYTES : Math.min(chunkBytes, MAX_CHUNK_BYTES);
    DumpHeader.Builder header = DumpHeader.newBuilder().setFormatVersion(FORMAT_VERSION)
        .setLeaderId(origin.leaderId()).setShardCount(origin.shardCount()).setEpoch(origin.epoch())
        .setCreatedMs(System.currentTimeMillis());
    for (int shard : shards) {
      if (shard < 0 || shard >= origin.shardCount()) {
        throw new IllegalArgumentException("shard " + shard + " does not exist (" + origin.shardCount() + " shards)");
      }
      ShardState state = snapshot.shardState(shard);
      header.addShards(DumpShard.newBuilder().setShard(shard).setSeq(state.seq()).setSeqEpoch(state.seqEpoch())
          .setDigest(state.digest()).setKeys(state.keys()));
    }
    this.header = header.build();
  }

  /** The header (also the first message). */
  public DumpHeader header() {
    return header;
  }

  @Override
  public boolean hasNext() {
    return !headerSent || position < header.getShardsCount();
  }

  @Override
  public DumpMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the dump is complete");
    }
    if (!headerSent) {
      headerSent = true;
      return DumpMessage.newBuilder().setHeader(header).build();
    }
    int shard = header.getShards(position).getShard();
    if (cursor == null) {
      cursor = store.cursor(shard, null, false, snapshot);
      index = 0;
      pending = cursor.next();
    }
    DumpChunk.Builder chunk = DumpChunk.newBuilder().setShard(shard).setIndex(index++);
    long bytes = 0;
    while (pending && (bytes < chunkBytes || chunk.getEntriesCount() == 0)) {
      // The cursor hands out fresh arrays per pair: wrapping them copies nothing.
      chunk.addEntries(DumpEntry.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(cursor.key()))
          .setValue(UnsafeByteOperations.unsafeWrap(cursor.value()))
          .setVersion(cursor.version()).setExpiresAtMs(cursor.stored().expiresAtMs()));
      bytes += cursor.key().length + cursor.value().length + ShardCursor.ENTRY_FRAMING_BYTES;
      pending = cursor.next();
    }
    if (!pending) {
      chunk.setLast(true);
      cursor.close();
      cursor = null;
      position++;
      if (position == header.getShardsCount()) {
        snapshot.close(); // every pair is read: let LevelDB compact past it
      }
    }
    return DumpMessage.newBuilder().setChunk(ChunkChecksum.seal(chunk)).build();
  }

  @Override
  public void close() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
    snapshot.close();
  }
}
