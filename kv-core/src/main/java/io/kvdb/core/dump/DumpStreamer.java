package io.kvdb.core.dump;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.kvdb.api.v1.DumpMessage;
import io.kvdb.core.request.Statuses;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a shard dump on a gRPC server stream as fast as the client takes it and no faster: a chunk
 * is read only while the call is ready (gRPC's flow control), so a slow client holds a LevelDB
 * snapshot, not the whole dump in memory. The reads run on {@code executor}, never on the
 * transport's threads; at most one task per call runs at a time, and it alone touches the reader.
 */
public final class DumpStreamer {
  private static final Logger log = LoggerFactory.getLogger(DumpStreamer.class);

  private final ShardDumpReader reader;
  private final ServerCallStreamObserver<DumpMessage> call;
  private final Executor executor;
  private final String what;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean cancelled;
  private boolean finished;
  private long chunks;

  private DumpStreamer(ShardDumpReader reader, ServerCallStreamObserver<DumpMessage> call, Executor executor,
      String what) {
    this.reader = reader;
    this.call = call;
    this.executor = executor;
    this.what = what;
  }

  /** Streams {@code reader}'s dump to {@code response} and closes the reader; {@code what} names it in logs. */
  public static void serve(ShardDumpReader reader, StreamObserver<DumpMessage> response, Executor executor,
      String what) {
    DumpStreamer streamer = new DumpStreamer(reader, (ServerCallStreamObserver<DumpMessage>) response, executor,
        what);
    streamer.call.setOnCancelHandler(() -> {
      streamer.cancelled = true;
      streamer.schedule();
    });
    streamer.call.setOnReadyHandler(streamer::schedule);
    log.info("{} started: {} shards", what, reader.header().getShardsCount());
    streamer.schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    try {
      if (!finished) {
        send();
      }
    } finally {
      scheduled.set(false);
    }
    // Ready (or cancelled) again while this task ran: its handler's schedule found the flag still set.
    if (!finished && (cancelled || call.isReady())) {
      schedule();
    }
  }

  private void send() {
    try {
      while (!cancelled && call.isReady() && reader.hasNext()) {
        DumpMessage message = reader.next();
        call.onNext(message);
        if (message.hasChunk()) {
          chunks++;
        }
      }
      if (cancelled) {
        finish();
        log.info("{} cancelled by the client after {} chunks", what, chunks);
      } else if (!reader.hasNext()) {
        finish();
        call.onCompleted();
        log.info("{} done: {} chunks", what, chunks);
      }
    } catch (RuntimeException e) {
      finish();
      log.warn("{} failed after {} chunks: {}", what, chunks, e.toString());
      call.onError(Statuses.of(e));
    }
  }

  private void finish() {
    finished = true;
    reader.close();
  }
}
