package io.kvdb.core.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.kvdb.replication.v1.DataMessage;
import io.kvdb.replication.v1.Event;
import io.kvdb.replication.v1.EventBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-made batch encoding is the one protobuf itself writes, so the follower reads it as a DataMessage. */
class EventBatchesTest {
  @Test
  void theBatchOfLogEntriesIsTheDataMessageProtobufWouldWrite() throws Exception {
    List<Event> events = new ArrayList<>();
    for (int seq = 1; seq <= 300; seq++) { // past one-byte lengths, for the varints
      Event.Builder event = Event.newBuilder().setLeaderId("leader").setEpoch(9).setShard(3).setSeq(seq)
          .setKey("key-" + seq).setDigest(seq * 31L).setKeys(seq).setCommitTimeMs(1000 + seq);
      events.add(seq % 7 == 0 ? event.setDelete(true).build()
          : event.setPutValue(ByteString.copyFrom(new byte[seq % 200])).build());
    }
    DataMessage expected = DataMessage.newBuilder().setBatch(EventBatch.newBuilder().addAllEvents(events)).build();

    byte[] encoded = EventBatches.dataMessage(events.stream().map(Event::toByteArray).toList());

    assertArrayEquals(expected.toByteArray(), encoded);
    assertEquals(events, Frames.data(encoded, "test").getBatch().getEventsList());
  }

  @Test
  void oneEvent() throws Exception {
    Event event = Event.newBuilder().setShard(0).setSeq(1).setKey("k").setPutValue(ByteString.copyFromUtf8("v")).build();
    assertArrayEquals(DataMessage.newBuilder().setBatch(EventBatch.newBuilder().addEvents(event)).build().toByteArray(),
        EventBatches.dataMessage(List.of(event.toByteArray())));
  }
}
