package io.kvdb.core.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.kvdb.common.errors.ErrorReasons;
import io.kvdb.core.storage.DiskSpace;
import io.kvdb.core.storage.StorageException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.iq80.leveldb.DBException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusesTest {
  @TempDir Path dir;

  @Test
  void aStatusPassesThroughUnchangedEvenInsideAFuturesWrapper() {
    StatusRuntimeException notFound = Status.NOT_FOUND.withDescription("key not found: k").asRuntimeException();
    assertSame(notFound, Statuses.of(notFound));
    assertSame(notFound, Statuses.of(new CompletionException(notFound)));
    assertSame(notFound, Statuses.of(new ExecutionException(new CompletionException(notFound))));
  }

  @Test
  void storageErrorsAreUnavailableWithTheirMessage() {
    for (RuntimeException error : new RuntimeException[] {
        new DBException("IO error: /data/000005.log: No space left"), new StorageException("closing an iterator failed")}) {
      Status status = Statuses.of(new CompletionException(error)).getStatus();
      assertEquals(Status.Code.UNAVAILABLE, status.getCode());
      assertTrue(status.getDescription().startsWith("the data dir could not be read or written: "), status.getDescription());
      assertTrue(status.getDescription().endsWith(error.getMessage()), status.getDescription());
    }
  }

  @Test
  void aDiskFullRefusalIsResourceExhaustedWithItsReason() throws Exception {
    DiskSpace.FullException full =
        assertThrows(DiskSpace.FullException.class, () -> new DiskSpace(dir, "leader", 100, () -> 0).checkRoom(1));
    StatusRuntimeException e = Statuses.of(full);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    ErrorInfo info = StatusProto.fromThrowable(e).getDetailsList().get(0).unpack(ErrorInfo.class);
    assertEquals(ErrorReasons.DISK_FULL, info.getReason());
  }

  @Test
  void cancelledAndUnexpectedErrors() {
    assertEquals(Status.Code.CANCELLED, Statuses.of(new CancellationException()).getStatus().getCode());
    Status bug = Statuses.of(new NullPointerException("x is null")).getStatus();
    assertEquals(Status.Code.INTERNAL, bug.getCode());
    assertTrue(bug.getDescription().contains("x is null"), bug.getDescription());
  }
}
