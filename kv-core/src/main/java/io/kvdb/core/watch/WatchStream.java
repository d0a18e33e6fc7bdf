package io.kvdb.core.watch;

import io.grpc.StatusRuntimeException;
import io.kvdb.api.v1.WatchResponse;

/** Where one watcher's messages go: a gRPC stream, an SSE stream, or a test's list. */
public interface WatchStream {
  /** True when {@link #send} may be called without buffering beyond the transport's window. */
  boolean ready();

  /** Sends one message; never blocks. */
  void send(WatchResponse message);

  /** Ends the stream with {@code status}. */
  void end(StatusRuntimeException status);
}
