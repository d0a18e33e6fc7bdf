package io.kvdb.core.request;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kvdb.core.config.Limits;
import java.nio.charset.StandardCharsets;

/** Checks requests against the {@link Limits} before anything is read or written. */
public final class RequestValidator {
  private final Limits limits;

  public RequestValidator(Limits limits) {
    this.limits = limits;
  }

  /** The key's UTF-8 bytes, or INVALID_ARGUMENT / RESOURCE_EXHAUSTED saying what is wrong. */
  public byte[] key(String key) {
    if (key.isEmpty()) {
      throw invalid("key is empty; keys are non-empty UTF-8 strings");
    }
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > limits.maxKeyBytes()) {
      throw tooLarge("key is " + bytes.length + " bytes; the limit is " + limits.maxKeyBytes() + " (--max-key-bytes)");
    }
    return bytes;
  }

  public void value(int size) {
    if (size > limits.maxValueBytes()) {
      throw tooLarge("value is " + size + " bytes; the limit is " + limits.maxValueBytes() + " (--max-value-bytes)");
    }
  }

  /** A List argument that is not a key itself (prefix, cursor): may be empty, bounded in size. */
  public void bound(String what, String text) {
    if (text.getBytes(StandardCharsets.UTF_8).length > limits.maxKeyBytes()) {
      throw invalid(what + " is longer than the longest possible key (" + limits.maxKeyBytes() + " bytes)");
    }
  }

  /** {@code requested} is a uint32 on the wire: above 2^31 - 1 it arrives negative. */
  public int pageSize(int requested) {
    if (requested == 0) {
      return limits.defaultPageSize();
    }
    return (int) Math.min(Integer.toUnsignedLong(requested), limits.maxPageSize());
  }

  /** {@code minAcks} is a uint32 on the wire: compared unsigned, so 2^32 - 1 is not -1. */
  public void minAcks(int minAcks, int replicationFactor) {
    if (Integer.toUnsignedLong(minAcks) > replicationFactor) {
      throw invalid("min_acks is " + Integer.toUnsignedString(minAcks) + " but each shard is placed on only " + replicationFactor
          + " follower(s) (the replication factor)");
    }
  }

  static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  static StatusRuntimeException tooLarge(String description) {
    return Status.RESOURCE_EXHAUSTED.withDescription(description).asRuntimeException();
  }
}
