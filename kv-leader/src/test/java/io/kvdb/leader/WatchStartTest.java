package io.kvdb.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.kvdb.api.v1.PutRequest;
import io.kvdb.api.v1.WatchEvent;
import io.kvdb.api.v1.WatchRequest;
import io.kvdb.api.v1.WatchResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The start revision of a watch: its first message says where it starts, so a client that watched
 * from now and lost the stream before any change resumes from there with no change lost, also on
 * a leader whose data dir has never been written.
 */
@Timeout(60)
class WatchStartTest {
  @RegisterExtension static final TestLeader leader = TestLeader.inProcess();

  @Test
  void aWatchFromNowLostBeforeAnyChangeResumesFromItsStartRevisionWithTheWriteMadeMeanwhile() {
    long start;
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      Iterator<WatchResponse> first = call.call(() -> leader.kv().withDeadlineAfter(10, TimeUnit.SECONDS)
          .watch(WatchRequest.newBuilder().setPrefix("w/").build()));
      WatchResponse told = first.next();
      assertTrue(told.hasProgress(), "the first message is the start revision: " + told);
      start = told.getProgress().getRevision();
    } catch (Exception e) {
      throw new AssertionError(e);
    } // the stream is lost here, before any change
    long lost = put("w/1");
    assertTrue(start > 0 && start < lost, "the start revision " + start + " lies below the next write's " + lost);

    List<Long> seen = new ArrayList<>();
    try (Context.CancellableContext call = Context.current().withCancellation()) {
      Iterator<WatchResponse> resumed = call.call(() -> leader.kv().withDeadlineAfter(10, TimeUnit.SECONDS)
          .watch(WatchRequest.newBuilder().setPrefix("w/").setFromRevision(start).build()));
      long marker = put("w/2");
      while (seen.isEmpty() || seen.get(seen.size() - 1) != marker) {
        WatchResponse message = resumed.next();
        if (message.hasEvent()) {
          WatchEvent event = message.getEvent();
          seen.add(event.getRevision());
        }
      }
      assertEquals(List.of(lost, marker), seen, "the resumed stream delivers the write made while it was lost");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long put(String key) {
    return leader.kv().put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build())
        .getVersion();
  }
}
