package io.kvdb.common.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;

/**
 * Machine-readable reasons for errors whose status code alone is ambiguous, carried as a
 * {@code google.rpc.ErrorInfo} in the status details (documented in kv.proto). RESOURCE_EXHAUSTED
 * means "too large, change the request" for a key or value over its limit, but "retry once space is
 * freed" for a full disk; clients and the HTTP gateway tell the two apart by the reason.
 */
public final class ErrorReasons {
  /** The ErrorInfo domain of kvdb's reasons. */
  public static final String DOMAIN = "kvdb.io";
  /** RESOURCE_EXHAUSTED because the leader's disk is below --min-free-disk. */
  public static final String DISK_FULL = "DISK_FULL";
  /**
   * NOT_FOUND from a follower, with the copy it looked in: metadata {@link #APPLIED_SEQ} and
   * {@link #STALE}, as a found value's GetResponse carries them.
   */
  public static final String KEY_NOT_FOUND = "KEY_NOT_FOUND";
  /** ErrorInfo metadata: the applied seq of the shard copy a follower read. */
  public static final String APPLIED_SEQ = "applied_seq";
  /** ErrorInfo metadata: "true" when that copy is not in sync with a live leader. */
  public static final String STALE = "stale";
  /**
   * FAILED_PRECONDITION because a write's expected_version is not the key's version: metadata
   * {@link #CURRENT_VERSION}. Nothing was written; read the key again and retry.
   */
  public static final String VERSION_MISMATCH = "VERSION_MISMATCH";
  /** ErrorInfo metadata: the key's version now, "0" when it does not exist. */
  public static final String CURRENT_VERSION = "current_version";

  /** ErrorInfo metadata of a batch's {@link #VERSION_MISMATCH}: the index of the op whose condition failed. */
  public static final String FAILED_INDEX = "failed_index";
  /**
   * OUT_OF_RANGE on a watch: the revision to resume from is older than the changes the leader keeps,
   * or one it never issued (rebuild, restore, lost tail). Re-list, then watch from the revision read.
   */
  public static final String WATCH_COMPACTED = "WATCH_COMPACTED";
  /** RESOURCE_EXHAUSTED on a watch: the watcher took its changes too slowly and was cancelled. */
  public static final String WATCH_TOO_SLOW = "WATCH_TOO_SLOW";

  private ErrorReasons() {}

  /** {@code code} with {@code message}, marked with {@code reason} in an ErrorInfo. */
  public static StatusRuntimeException withReason(Code code, String reason, String message) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN).build()))
        .build());
  }

  /** RESOURCE_EXHAUSTED with {@code message}, marked {@link #DISK_FULL}. */
  public static StatusRuntimeException diskFull(String message) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(DISK_FULL).setDomain(DOMAIN).build()))
        .build());
  }

  /** NOT_FOUND with {@code message}, marked {@link #KEY_NOT_FOUND} with the copy that was read. */
  public static StatusRuntimeException keyNotFound(String message, long appliedSeq, boolean stale) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.NOT_FOUND_VALUE)
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(KEY_NOT_FOUND).setDomain(DOMAIN)
            .putMetadata(APPLIED_SEQ, Long.toString(appliedSeq))
            .putMetadata(STALE, Boolean.toString(stale)).build()))
        .build());
  }

  /** FAILED_PRECONDITION with {@code message}, marked {@link #VERSION_MISMATCH} with the key's version now. */
  public static StatusRuntimeException versionMismatch(String message, long currentVersion) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.FAILED_PRECONDITION_VALUE)
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(VERSION_MISMATCH).setDomain(DOMAIN)
            .putMetadata(CURRENT_VERSION, Long.toUnsignedString(currentVersion)).build()))
        .build());
  }

  /** As {@link #versionMismatch}, for the op at {@code failedIndex} of a batch (metadata {@link #FAILED_INDEX}). */
  public static StatusRuntimeException batchVersionMismatch(String message, int failedIndex, long currentVersion) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.FAILED_PRECONDITION_VALUE)
        .setMessage(message)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(VERSION_MISMATCH).setDomain(DOMAIN)
            .putMetadata(CURRENT_VERSION, Long.toUnsignedString(currentVersion))
            .putMetadata(FAILED_INDEX, Integer.toString(failedIndex)).build()))
        .build());
  }

  /** The failed op's index of a batch's {@link #VERSION_MISMATCH} error; empty for any other error. */
  public static Optional<Integer> failedIndexOf(Throwable error) {
    return infoOf(error).filter(info -> VERSION_MISMATCH.equals(info.getReason()))
        .map(info -> info.getMetadataMap().get(FAILED_INDEX)).map(Integer::parseInt);
  }

  /** The current version of a {@link #VERSION_MISMATCH} error; empty for any other error. */
  public static Optional<Long> currentVersionOf(Throwable error) {
    return infoOf(error).filter(info -> VERSION_MISMATCH.equals(info.getReason()))
        .map(info -> info.getMetadataMap().get(CURRENT_VERSION)).map(Long::parseUnsignedLong);
  }

  /**
   * Whether the gRPC error {@code error} (a StatusRuntimeException or StatusException) carries an
   * ErrorInfo of kvdb's domain with {@code reason}. Details that cannot be read count as absent.
   */
  public static boolean hasReason(Throwable error, String reason) {
    return reasonOf(error).filter(reason::equals).isPresent();
  }

  /**
   * The reason of the first kvdb {@code ErrorInfo} (domain {@link #DOMAIN}) in the status details
   * of {@code error}; empty when it carries none (or details that cannot be read).
   */
  public static Optional<String> reasonOf(Throwable error) {
    return infoOf(error).map(ErrorInfo::getReason);
  }

  /** The metadata value {@code name} of the first kvdb {@code ErrorInfo} of {@code error}; empty when absent. */
  public static Optional<String> metadataOf(Throwable error, String name) {
    return infoOf(error).map(info -> info.getMetadataMap().get(name));
  }

  /**
   * The first kvdb {@code ErrorInfo} (domain {@link #DOMAIN}) in the status details of
   * {@code error}, with its reason and all its metadata; empty when it carries none.
   */
  public static Optional<ErrorInfo> infoOf(Throwable error) {
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    if (status == null) {
      return Optional.empty();
    }
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if (DOMAIN.equals(info.getDomain())) {
            return Optional.of(info);
          }
        } catch (InvalidProtocolBufferException e) {
          // An unreadable detail says nothing: as if absent.
        }
      }
    }
    return Optional.empty();
  }
}
