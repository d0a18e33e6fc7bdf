package io.kvdb.common.dump;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.api.v1.DumpEnd;
import io.kvdb.api.v1.DumpMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.zip.CRC32C;

/**
 * A shard dump in a file (dump.proto): the magic {@code KVDBDUMP}, then frames of
 * [length u32 BE][CRC32C u32 BE][one DumpMessage], the last a DumpEnd. The frame's checksum
 * catches a damaged header or end as well as a damaged chunk; the missing DumpEnd catches a file
 * cut short at a frame boundary.
 */
public final class BackupFile {
  static final byte[] MAGIC = "KVDBDUMP".getBytes(StandardCharsets.US_ASCII);
  /** Bigger than any chunk the readers make (256 KiB by default, at most the gRPC message limit). */
  static final int MAX_FRAME_BYTES = 256 * 1024 * 1024;

  private BackupFile() {}

  /**
   * Writes a backup file under a temporary name beside its target ({@code .NAME.partial-XXXX});
   * {@link #end} writes the DumpEnd, syncs, and renames it onto the target. Closed without
   * {@code end}, it deletes the partial file: a backup file is complete or absent.
   */
  public static final class Writer implements AutoCloseable {
    private final Path target;
    private final Path partial;
    private final FileOutputStream file;
    private final DataOutputStream out;
    private long chunks;
    private long bytes;
    private boolean ended;

    /** Starts a backup file at {@code target}, which must not exist (a backup never replaces a file). */
    public Writer(Path target) throws IOException {
      this.target = target.toAbsolutePath();
      if (Files.exists(this.target)) {
        throw new FileAlreadyExistsException(this.target + " exists; a backup never replaces a file: pick a new name");
      }
      this.partial = this.target.resolveSibling("." + this.target.getFileName() + ".partial-"
          + UUID.randomUUID().toString().substring(0, 8));
      this.file = new FileOutputStream(Files.createFile(partial).toFile());
      this.out = new DataOutputStream(new BufferedOutputStream(file, 1 << 16));
      out.write(MAGIC);
      bytes = MAGIC.length;
    }

    public void write(DumpMessage message) throws IOException {
      byte[] payload = message.toByteArray();
      CRC32C crc = new CRC32C();
      crc.update(payload);
      out.writeInt(payload.length);
      out.writeInt((int) crc.getValue());
      out.write(payload);
      bytes += 8 + payload.length;
      if (message.hasChunk()) {
        chunks++;
      }
    }

    /** Bytes written so far. */
    public long bytes() {
      return bytes;
    }

    /** Writes the end frame, syncs the file to disk and renames it onto the target. */
    public void end() throws IOException {
      write(DumpMessage.newBuilder().setEnd(DumpEnd.newBuilder().setChunks(chunks)).build());
      out.flush();
      file.getFD().sync();
      out.close();
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      ended = true;
    }

    /** Closes the file; without {@link #end}, deletes what was written. */
    @Override
    public void close() throws IOException {
      out.close();
      if (!ended) {
        Files.deleteIfExists(partial);
      }
    }
  }

  /**
   * Reads the frames of {@code path} in order, handing each message and where it is ("frame N at
   * byte B") to {@code visitor}, up to and including the DumpEnd.
   *
   * @throws DumpException when the file is not a dump, a frame's checksum differs, or it ends
   *     before its DumpEnd (saying at which byte)
   */
  public static void read(Path path, BiConsumer<DumpMessage, String> visitor) throws IOException {
    try (InputStream file = Files.newInputStream(path);
        DataInputStream in = new DataInputStream(new BufferedInputStream(file, 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      if (in.readNBytes(magic, 0, magic.length) != magic.length || !Arrays.equals(magic, MAGIC)) {
        throw new DumpException(path + " is not a kvdb backup (no KVDBDUMP at its start)");
      }
      long offset = MAGIC.length;
      for (long frame = 1; ; frame++) {
        String where = path + ": frame " + frame + " at byte " + offset;
        int length;
        int crc;
        byte[] payload;
        try {
          length = in.readInt();
          crc = in.readInt();
          if (length < 0 || length > MAX_FRAME_BYTES) {
            throw new DumpException(where + ": a frame length of " + Integer.toUnsignedString(length)
                + " bytes (the file is corrupted)");
          }
          payload = in.readNBytes(length);
        } catch (EOFException e) {
          throw new DumpException(where + ": truncated: the file ends inside a frame header, before its end frame");
        }
        if (payload.length < length) {
          throw new DumpException(where + ": truncated: the frame needs " + length + " bytes, the file holds "
              + payload.length + " more");
        }
        CRC32C actual = new CRC32C();
        actual.update(payload);
        if ((int) actual.getValue() != crc) {
          throw new DumpException(where + ": checksum mismatch (the file is corrupted)");
        }
        DumpMessage message;
        try {
          message = DumpMessage.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
          throw new DumpException(where + ": not a dump message: " + e.getMessage());
        }
        visitor.accept(message, where);
        offset += 8 + length;
        if (message.hasEnd()) {
          if (in.read() != -1) {
            throw new DumpException(path + ": bytes after the end frame at byte " + offset);
          }
          return;
        }
      }
    }
  }
}
