package io.kvdb.core.leader;

import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchResponse;
import io.kvdb.core.watch.WatchStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A watch that is always ready and keeps the changes it got, in order; its end fails the test. */
final class ReceivedChanges implements WatchStream {
  final List<WatchEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public void send(WatchResponse message) {
    if (message.hasEvent()) {
      events.add(message.getEvent());
    }
  }

  @Override
  public void end(StatusRuntimeException status) {
    fail("the watch ended: " + status);
  }
}
