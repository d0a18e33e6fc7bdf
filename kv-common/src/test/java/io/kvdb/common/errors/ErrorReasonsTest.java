package io.kvdb.common.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A reason put in a status by the leader is read back by clients, and only kvdb's own. */
class ErrorReasonsTest {
  @Test
  void diskFullRoundTrips() {
    assertEquals(Optional.of(ErrorReasons.DISK_FULL), ErrorReasons.reasonOf(ErrorReasons.diskFull("full")));
  }

  @Test
  void aStatusWithoutDetailsOrFromAnotherDomainHasNoReason() {
    assertEquals(Optional.empty(), ErrorReasons.reasonOf(Status.RESOURCE_EXHAUSTED.asRuntimeException()));
    assertEquals(Optional.empty(), ErrorReasons.reasonOf(new IllegalStateException("not a status")));
    Throwable foreign = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.RESOURCE_EXHAUSTED_VALUE).setMessage("quota")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(ErrorReasons.DISK_FULL).setDomain("example.com").build()))
        .build());
    assertEquals(Optional.empty(), ErrorReasons.reasonOf(foreign));
  }
}
