package io.kvdb.common.dump;

import io.kvdb.api.v1.DumpChunk;
import io.kvdb.api.v1.DumpEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The CRC32C of a chunk, over the bytes dump.proto names (not over the protobuf encoding, which
 * another encoder may order or pad differently).
 */
public final class ChunkChecksum {
  private ChunkChecksum() {}

  public static int of(DumpChunk chunk) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(12).putInt(chunk.getShard()).putLong(chunk.getIndex()).flip());
    ByteBuffer length = ByteBuffer.allocate(4);
    ByteBuffer versions = ByteBuffer.allocate(16);
    for (DumpEntry entry : chunk.getEntriesList()) {
      crc.update(length.clear().putInt(entry.getKey().size()).flip());
      crc.update(entry.getKey().asReadOnlyByteBuffer());
      crc.update(length.clear().putInt(entry.getValue().size()).flip());
      crc.update(entry.getValue().asReadOnlyByteBuffer());
      crc.update(versions.clear().putLong(entry.getVersion()).putLong(entry.getExpiresAtMs()).flip());
    }
    crc.update(chunk.getLast() ? 1 : 0);
    return (int) crc.getValue();
  }

  /** The chunk with its checksum set. */
  public static DumpChunk seal(DumpChunk.Builder chunk) {
    return chunk.setCrc32C(of(chunk.clearCrc32C().build())).build();
  }
}
