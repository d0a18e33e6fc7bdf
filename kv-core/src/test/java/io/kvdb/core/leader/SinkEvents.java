package io.kvdb.core.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kvdb.replication.v1.Event;
import java.util.ArrayList;
import java.util.List;

/** What tests read from an {@link EventSink}: the events of a handed-over batch, decoded, in order. */
public final class SinkEvents {
  private SinkEvents() {}

  public static List<Event> of(List<ShardEvents> batch) {
    List<Event> events = new ArrayList<>();
    for (ShardEvents shard : batch) {
      for (byte[] entry : shard.entries()) {
        events.add(parse(entry));
      }
    }
    return events;
  }

  public static Event parse(byte[] entry) {
    try {
      return Event.parseFrom(entry);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("a handed-over entry that is not an event", e);
    }
  }
}
