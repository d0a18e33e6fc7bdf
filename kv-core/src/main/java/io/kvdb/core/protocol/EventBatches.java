package io.kvdb.core.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.EventBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The PUB payload of a shard's events of one commit (protocol version 3): a {@link DataMessage}
 * whose body is an {@link EventBatch}. Written by hand from the events' encoded bytes (their log
 * entries), which are what a length-delimited {@code Event} field holds on the wire: the follower
 * parses the ordinary message, and no event is serialised a second time.
 */
public final class EventBatches {
  private EventBatches() {}

  /** The DataMessage bytes of a batch of {@code entries}, each an encoded {@code Event}, in seq order. */
  public static byte[] dataMessage(List<byte[]> entries) {
    int batchBytes = 0;
    for (byte[] entry : entries) {
      batchBytes += CodedOutputStream.computeByteArraySize(EventBatch.EVENTS_FIELD_NUMBER, entry);
    }
    byte[] message = new byte[CodedOutputStream.computeTagSize(DataMessage.BATCH_FIELD_NUMBER)
        + CodedOutputStream.computeUInt32SizeNoTag(batchBytes) + batchBytes];
    CodedOutputStream out = CodedOutputStream.newInstance(message);
    try {
      out.writeTag(DataMessage.BATCH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(batchBytes);
      for (byte[] entry : entries) {
        out.writeByteArray(EventBatch.EVENTS_FIELD_NUMBER, entry);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("the batch's size was computed wrong", e); // a bug: the array is exact
    }
    return message;
  }
}
