package io.kvdb.common.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrorReasonsTest {
  @Test
  void diskFullCarriesItsReasonInKvdbsDomain() {
    StatusRuntimeException e = ErrorReasons.diskFull("disk below --min-free-disk");
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals("disk below --min-free-disk", e.getStatus().getDescription());
    assertTrue(ErrorReasons.hasReason(e, ErrorReasons.DISK_FULL));
    assertFalse(ErrorReasons.hasReason(e, "OTHER"));
  }

  @Test
  void aStatusWithoutDetailsOrFromAnotherDomainHasNoReason() {
    assertFalse(ErrorReasons.hasReason(Status.RESOURCE_EXHAUSTED.withDescription("too large").asRuntimeException(),
        ErrorReasons.DISK_FULL));
    assertFalse(ErrorReasons.hasReason(new IllegalStateException("not grpc"), ErrorReasons.DISK_FULL));
    StatusRuntimeException foreign = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.RESOURCE_EXHAUSTED_VALUE).setMessage("full")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(ErrorReasons.DISK_FULL).setDomain("example.com").build()))
        .build());
    assertFalse(ErrorReasons.hasReason(foreign, ErrorReasons.DISK_FULL), "the reason counts in kvdb's domain only");
  }

  @Test
  void reasonOfReadsBackTheReason() {
    assertEquals(Optional.of(ErrorReasons.DISK_FULL), ErrorReasons.reasonOf(ErrorReasons.diskFull("full")));
    assertEquals(Optional.empty(), ErrorReasons.reasonOf(Status.RESOURCE_EXHAUSTED.asRuntimeException()));
  }

  @Test
  void keyNotFoundCarriesTheCopyThatWasRead() {
    StatusRuntimeException e = ErrorReasons.keyNotFound("key not found: k", 42, true);
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(ErrorReasons.hasReason(e, ErrorReasons.KEY_NOT_FOUND));
    assertEquals(Optional.of("42"), ErrorReasons.metadataOf(e, ErrorReasons.APPLIED_SEQ));
    assertEquals(Optional.of("true"), ErrorReasons.metadataOf(e, ErrorReasons.STALE));
    assertEquals(Optional.empty(), ErrorReasons.metadataOf(e, "other"));
    assertEquals(Optional.empty(), ErrorReasons.metadataOf(Status.NOT_FOUND.asRuntimeException(), ErrorReasons.APPLIED_SEQ));
  }
}
